// Engine::preview: what the tenant's policy would decide on an event now, without writing
// anything; and the cancel preview every answer about an order shows.
#include <algorithm>

#include "billing/engine/engine.hpp"
#include "billing/rules/decision_check.hpp"
#include "billing/storage/engine_errors.hpp"
#include "decision_steps.hpp"
#include "order_moves.hpp"

namespace billing {

sdk::Event customer_cancel() {
    sdk::Event cancel;
    cancel.type = sdk::event_type::cancel;
    cancel.actor = "customer";  // the storefront, on the customer's behalf
    return cancel;
}

Result<sdk::Decision> Engine::preview(const plugin::PolicyInstance& policy, const OrderRecord& order,
                                      const sdk::Event& event, UtcMs now_ms) {
    auto product = decision_steps::product_of(policy, order);
    if (!product) return product.error();
    const UtcMs decided_at_ms = std::max(now_ms, order.updated_at_ms);
    sdk::Context context;
    context.now_ms = decided_at_ms;
    auto decision = decision_steps::ask_decision(policy, order, event, context);
    if (!decision) return decision;
    // The budget of a charge is not known here without reading the balance; the other checks are
    // (for a denial, the available_at the API shows).
    const sdk::OrderView view = order_moves::view_of(order);
    const decision_check::Facts facts{.order = view,
                                      .product = *product.value(),
                                      .order_is_final = order.is_final,
                                      .customer_balance_minor = order_charged_minor_max,
                                      .now_ms = decided_at_ms,
                                      .timer_event = event.type == sdk::event_type::timer};
    if (auto broken = decision_check::violation(decision.value(), facts)) {
        return Error{engine_error::policy_violation,
                     order_moves::policy_label(policy.info()) + " on order " + order.id + ": " + *broken};
    }
    return decision;
}

ActionPreview Engine::cancel_preview(const plugin::PolicyInstance& policy, const OrderRecord& order, UtcMs now_ms) {
    auto decision = preview(policy, order, customer_cancel(), now_ms);
    if (!decision) {
        return ActionPreview{
            .allowed = false, .code = decision.error().code, .message = "", .available_at_ms = std::nullopt};
    }
    const sdk::Decision& d = decision.value();
    return ActionPreview{
        .allowed = d.allowed, .code = d.code, .message = d.message, .available_at_ms = d.available_at_ms};
}

}  // namespace billing
