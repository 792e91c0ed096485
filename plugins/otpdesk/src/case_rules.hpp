// Support refunds and disputes: the same rules for both products. They may be decided in any
// state (a support refund is for what went wrong after the customer's own rights ended), as
// long as something of the charge is left to return.
#pragma once

#include <optional>

#include "billing/sdk/types.hpp"
#include "config.hpp"
#include "order_facts.hpp"

namespace otpdesk {

// The order as the case rules see it: its facts and whether its state is final (then escrow
// is settled and only refunds out of revenue may move money).
struct CaseOrder {
    const billing::sdk::OrderView& order;
    const OrderFacts& facts;
    bool is_final = false;
};

// support_refund: text reason (one of rules.refund_reasons), numbers amount_minor (absent: all
// that is left). Refunds from escrow first, the rest out of revenue; state and outcome unchanged.
[[nodiscard]] billing::sdk::Decision decide_support_refund(const CaseOrder& order, const billing::sdk::Event& event,
                                                           const CaseRules& rules);
// dispute_opened: allowed (no money, no state) while something is left to refund; evidence_url
// required once the account's recent refunds plus disputes reach rules.evidence_required_after.
[[nodiscard]] billing::sdk::Decision decide_dispute_opened(const CaseOrder& order, const billing::sdk::Event& event,
                                                           const billing::sdk::Context& context,
                                                           const CaseRules& rules);
// dispute_resolved: resolution "reject" (allowed, nothing happens) or "refund" with
// amount_minor (the split and limits of a support refund).
[[nodiscard]] billing::sdk::Decision decide_dispute_resolved(const CaseOrder& order, const billing::sdk::Event& event);

// The decision on a support_refund, dispute_opened or dispute_resolved event, or nullopt for
// any other event type (the product's own rules decide those).
[[nodiscard]] std::optional<billing::sdk::Decision> decide_case(const CaseOrder& order,
                                                                const billing::sdk::Event& event,
                                                                const billing::sdk::Context& context,
                                                                const CaseRules& rules);

}  // namespace otpdesk
