// What the policy declares to the host (info), how it is configured, and how a purchase is
// priced (quote). The decisions on an order live in decide.cpp.
#include "policy.hpp"

#include <utility>

#include "names.hpp"

namespace refund_until_used {

using billing::sdk::Quote;

billing::sdk::PolicyInfo RefundUntilUsedPolicy::info() const {
    billing::sdk::ProductInfo voucher;
    voucher.name = product::voucher;
    voucher.description =
        "A prepaid service credit. Cancel for a full refund until its first use; after that it is not "
        "refundable. An unused voucher is refunded in full when its validity (if any) ends.";
    // A voucher takes no purchase fields: voucher.attributes and voucher.numbers stay empty.
    voucher.states = {state::unused, state::used, state::cancelled, state::expired};
    // The host refuses any money move on an order in a final state except a refund out of
    // revenue (support's business, not this policy's).
    voucher.final_states = {state::used, state::cancelled, state::expired};
    voucher.outcomes = {outcome::used, outcome::cancelled, outcome::expired_unused};
    // voucher.adjustable_terms stays empty: price and validity are pinned for good.

    billing::sdk::PolicyInfo info;
    info.name = policy_name;
    info.version = policy_version;
    info.products = {voucher};
    info.history_window_ms = 0;  // no rule weighs the account's history
    return info;
}

billing::sdk::ConfigResult RefundUntilUsedPolicy::configure(const std::string& toml_text,
                                                            const std::string& source_name) {
    ParsedConfig parsed = parse_config(toml_text, source_name);
    if (!parsed.config) {
        return billing::sdk::ConfigResult{false, std::move(parsed.errors)};
    }
    config_ = *parsed.config;
    return billing::sdk::ConfigResult{true, source_name + ": configured"};
}

Quote RefundUntilUsedPolicy::quote(const billing::sdk::PurchaseRequest& request,
                                   const billing::sdk::Context& context) const {
    if (!config_) {
        return billing::sdk::refuse(code::not_configured, "refund_until_used has no configuration yet");
    }
    if (request.product != product::voucher) {
        return billing::sdk::refuse(code::unknown_product,
                                    "refund_until_used sells no product \"" + request.product + "\"");
    }
    // A voucher declares no purchase fields; refusing extra ones catches a client's typo
    // instead of silently ignoring it.
    if (!request.attributes.empty() || !request.numbers.empty()) {
        return billing::sdk::refuse(code::invalid_attribute, "a voucher takes no attributes or numbers");
    }

    Quote quote;
    quote.allowed = true;
    quote.code = code::ok;
    quote.price_minor = config_->price_minor;  // the host charges it into escrow
    // Pinned terms: decide() reads these, never config_, so a voucher keeps the price and
    // validity it was sold with whatever the configuration says later.
    quote.terms = {{term::price_minor, config_->price_minor}, {term::valid_ms, config_->valid_ms}};
    quote.state = state::unused;
    if (config_->valid_ms > 0) {
        std::int64_t due_ms = 0;
        // now_ms comes from the host and may be anything; never let the due time wrap around.
        if (__builtin_add_overflow(context.now_ms, config_->valid_ms, &due_ms)) {
            return billing::sdk::refuse(code::invalid_time, "the validity would end past the largest time");
        }
        quote.timers = {{timer::expire, due_ms}};
    }
    return quote;
}

billing::sdk::Decision RefundUntilUsedPolicy::decide(const billing::sdk::OrderView& order,
                                                     const billing::sdk::Event& event,
                                                     const billing::sdk::Context& context) const {
    return decide_voucher(order, event, context);
}

}  // namespace refund_until_used
