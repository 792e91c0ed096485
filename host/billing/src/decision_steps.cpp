#include "decision_steps.hpp"

#include <algorithm>

#include "billing/rules/decision_check.hpp"
#include "billing/storage/engine_errors.hpp"
#include "order_moves.hpp"

namespace billing::decision_steps {

Result<sdk::Decision> ask_decision(const plugin::PolicyInstance& policy, const OrderRecord& order,
                                   const sdk::Event& event, const sdk::Context& context) {
    try {
        return policy.policy().decide(order_moves::view_of(order), event, context);
    } catch (const std::exception& e) {
        return Error{engine_error::policy_failed, order_moves::policy_label(policy.info()) +
                                                      " failed to decide on order " + order.id + ": " + e.what()};
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

bool charges(const std::vector<sdk::MoneyMove>& moves) {
    return std::any_of(moves.begin(), moves.end(),
                       [](const sdk::MoneyMove& m) { return m.kind == sdk::MoveKind::charge; });
}

}  // namespace billing::decision_steps
