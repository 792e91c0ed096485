#include "case_rules.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "arith.hpp"
#include "attributes.hpp"
#include "names.hpp"

namespace otpdesk {
namespace {

using billing::sdk::Decision;
using billing::sdk::deny;
using billing::sdk::MinorUnits;
using billing::sdk::MoneyMove;
using billing::sdk::MoveKind;
namespace field = billing::sdk::event_field;
namespace refusal = billing::sdk::request_refusal;

// What escrow may still return: nothing on a final order (the host lets only refund_captured
// move money there; a host's final order holds nothing anyway).
MinorUnits refundable_from_escrow(const CaseOrder& o) { return o.is_final ? 0 : o.facts.held_minor; }

// charged - refunded: what escrow holds plus what revenue may return. read_order_facts has
// checked 0 <= refunded_from_revenue <= captured and held >= 0, and all of it is at most
// charged <= order_charged_minor_max, so neither the difference nor the sum can overflow.
MinorUnits left_to_refund(const CaseOrder& o) {
    return refundable_from_escrow(o) + (o.order.captured_minor - o.order.refunded_from_revenue_minor);
}

// A refund of `amount` (absent: all that is left), escrow first, the rest out of revenue; or
// the denial that says why not.
Decision refund(const CaseOrder& o, std::optional<std::int64_t> amount, const std::string& what) {
    const MinorUnits left = left_to_refund(o);
    if (amount && *amount <= 0) {
        return deny(refusal::invalid_amount, "amount_minor must be positive, not " + std::to_string(*amount));
    }
    if (left == 0) {
        return deny(code::nothing_to_refund, "everything charged for this order has been refunded already");
    }
    const MinorUnits total = amount.value_or(left);
    if (total > left) {
        return deny(code::refund_exceeds_charge, "amount_minor " + std::to_string(total) + " exceeds the " +
                                                     std::to_string(left) + " left to refund on this order");
    }
    Decision decision = billing::sdk::allow(what + ": " + std::to_string(total) + " refunded");
    const MinorUnits from_escrow = std::min(total, refundable_from_escrow(o));
    if (from_escrow > 0) {
        decision.moves.push_back(MoneyMove{MoveKind::refund, from_escrow});
    }
    if (total - from_escrow > 0) {
        decision.moves.push_back(MoneyMove{MoveKind::refund_captured, total - from_escrow});
    }
    return decision;
}

std::optional<std::int64_t> amount_of(const billing::sdk::Event& event) {
    const auto found = event.numbers.find(field::amount_minor);
    if (found == event.numbers.end()) {
        return std::nullopt;
    }
    return found->second;
}

}  // namespace

Decision decide_support_refund(const CaseOrder& o, const billing::sdk::Event& event, const CaseRules& rules) {
    const auto reason = event.text.find(field::reason);
    if (reason == event.text.end()) {
        return deny(refusal::unknown_reason, "a support refund needs a reason, one of the tenant's refund_reasons");
    }
    const auto& reasons = rules.refund_reasons;
    if (std::find(reasons.begin(), reasons.end(), reason->second) == reasons.end()) {
        std::string listed;
        for (const std::string& known : reasons) {
            listed += (listed.empty() ? "" : ", ") + known;
        }
        return deny(refusal::unknown_reason,
                    "reason " + quoted(reason->second) + " is not one of the tenant's refund reasons: " + listed);
    }
    return refund(o, amount_of(event), "support refund (" + reason->second + ")");
}

Decision decide_dispute_opened(const CaseOrder& o, const billing::sdk::Event& event,
                               const billing::sdk::Context& context, const CaseRules& rules) {
    if (left_to_refund(o) == 0) {
        return deny(code::nothing_to_dispute, "everything charged for this order has been refunded already");
    }
    const std::int64_t recent = saturating_add(context.account_recent_refunds, context.account_recent_disputes);
    if (recent >= rules.evidence_required_after && event.text.count(field::evidence_url) == 0) {
        return deny(refusal::evidence_required,
                    "this account had " + std::to_string(context.account_recent_refunds) + " support refunds and " +
                        std::to_string(context.account_recent_disputes) + " disputes recently; from " +
                        std::to_string(rules.evidence_required_after) +
                        " together on, a dispute needs evidence_url, a link to a recording of the registration");
    }
    return billing::sdk::allow("dispute opened");
}

Decision decide_dispute_resolved(const CaseOrder& o, const billing::sdk::Event& event) {
    const auto resolution = event.text.find(field::resolution);
    if (resolution != event.text.end() && resolution->second == billing::sdk::dispute_resolution::reject) {
        return billing::sdk::allow("dispute rejected");
    }
    if (resolution == event.text.end() || resolution->second != billing::sdk::dispute_resolution::refund) {
        return deny(code::invalid_resolution,
                    "a resolution is \"refund\" or \"reject\", not " +
                        (resolution == event.text.end() ? std::string("missing") : quoted(resolution->second)));
    }
    const auto amount = amount_of(event);
    if (!amount) {
        return deny(billing::sdk::request_refusal::invalid_amount,
                    "a dispute resolved with a refund needs amount_minor");
    }
    return refund(o, amount, "dispute resolved with a refund");
}

std::optional<Decision> decide_case(const CaseOrder& o, const billing::sdk::Event& event,
                                    const billing::sdk::Context& context, const CaseRules& rules) {
    namespace type = billing::sdk::event_type;
    if (event.type == type::support_refund) {
        return decide_support_refund(o, event, rules);
    }
    if (event.type == type::dispute_opened) {
        return decide_dispute_opened(o, event, context, rules);
    }
    if (event.type == type::dispute_resolved) {
        return decide_dispute_resolved(o, event);
    }
    return std::nullopt;
}

}  // namespace otpdesk
