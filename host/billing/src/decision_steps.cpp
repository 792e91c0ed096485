#include "decision_steps.hpp"

#include <algorithm>

#include "billing/storage/engine_errors.hpp"
#include "billing/rules/decision_check.hpp"
#include "order_moves.hpp"

namespace billing::decision_steps {

Result<sdk::Decision> ask_decision(const plugin::PolicyInstance& policy, const OrderRecord& order,
                                   const sdk::Event& event, const sdk::Context& context) {
    try {
        return policy.policy().decide(order_moves::view_of(order), event, context);
    } catch (const std::exception& e) {
        return Error{engine_error::policy_failed,
                     order_moves::policy_label(policy.info()) + " failed to decide on order " + order.id + ": " + e.what()};
    } catch (...) {
        return Error{engine_error::policy_failed,
                     order_moves::policy_label(policy.info()) + " failed to decide on order " + order.id};
    }
}

Result<const sdk::ProductInfo*> product_of(const plugin::PolicyInstance& policy, const OrderRecord& order) {
    const std::string& name = policy.info().name;
    if (order.policy.compare(0, name.size() + 1, name + "@") != 0) {
        return Error{engine_error::policy_mismatch, "the order was sold under policy " + order.policy};
    }
    const sdk::ProductInfo* product = decision_check::find_product(policy.info(), order.product);
    if (product == nullptr) {
        return Error{engine_error::policy_mismatch, "the policy no longer declares product " + order.product};
    }
    return product;
}

OrderRecord changed_order(OrderRecord order, const sdk::Decision& d, const sdk::ProductInfo& product,
                          const std::string& policy, UtcMs now_ms) {
    if (!d.new_state.empty()) order.state = d.new_state;
    for (const auto& [key, value] : d.set_attributes) order.attributes[key] = value;
    for (const auto& [key, value] : d.set_terms) order.terms[key] = value;
    if (!d.outcome.empty()) order.outcome = d.outcome;
    order.policy = policy;
    // Never backwards: a late timer keeps its due time as its decision time, but the order's
    // last decision time must not fall behind a request decided before it, or the next request
    // could again be decided earlier than one already applied.
    order.updated_at_ms = std::max(order.updated_at_ms, now_ms);
    const bool now_final = decision_check::is_final_state(product, order.state);
    if (now_final && !order.is_final) order.closed_at_ms = now_ms;
    order.is_final = now_final;
    return order;
}

bool charges(const std::vector<sdk::MoneyMove>& moves) {
    return std::any_of(moves.begin(), moves.end(), [](const sdk::MoneyMove& m) { return m.kind == sdk::MoveKind::charge; });
}

MinorUnits refunded_minor(const std::vector<sdk::MoneyMove>& moves) {
    MinorUnits refunded = 0;
    for (const sdk::MoneyMove& m : moves) {
        if (m.kind == sdk::MoveKind::refund || m.kind == sdk::MoveKind::refund_captured) refunded += m.amount_minor;
    }
    return refunded;
}

}  // namespace billing::decision_steps
