// Engine::apply and the sweeper's timer path: load + lock the order, ask decide(), check the
// decision, then write the order, transfers, timers and event record, all in one transaction.
#include "billing/core/ids.hpp"
#include "billing/engine/accounts.hpp"
#include "billing/engine/decision_check.hpp"
#include "billing/engine/engine.hpp"
#include "billing/engine/errors.hpp"
#include "billing/engine/events.hpp"
#include "billing/engine/idempotency.hpp"
#include "billing/engine/ledger.hpp"
#include "billing/engine/orders.hpp"
#include "json_codec.hpp"
#include "order_moves.hpp"

namespace billing {

namespace {

Result<sdk::Decision> ask_decision(const plugin::PolicyInstance& policy, const OrderRecord& order,
                                   const sdk::Event& event, UtcMs now_ms) {
    sdk::Context context;
    context.now_ms = now_ms;
    try {
        return policy.policy().decide(order_moves::view_of(order), event, context);
    } catch (const std::exception& e) {
        return Error{engine_error::policy_failed, std::string("the policy failed to decide: ") + e.what()};
    } catch (...) {
        return Error{engine_error::policy_failed, "the policy failed to decide"};
    }
}

// The product of the order as the serving policy declares it; an order sold by another
// policy (name) is not decided by this one, since its pinned terms mean nothing to it.
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

// The order after the decision, version not yet bumped (orders::update does that).
OrderRecord changed_order(OrderRecord order, const sdk::Decision& d, const sdk::ProductInfo& product,
                          const std::string& policy, UtcMs now_ms) {
    if (!d.new_state.empty()) order.state = d.new_state;
    for (const auto& [key, value] : d.set_attributes) order.attributes[key] = value;
    for (const auto& [key, value] : d.set_terms) order.terms[key] = value;
    if (!d.outcome.empty()) order.outcome = d.outcome;
    order.policy = policy;
    order.updated_at_ms = now_ms;
    const bool now_final = decision_check::is_final_state(product, order.state);
    if (now_final && !order.is_final) order.closed_at_ms = now_ms;
    order.is_final = now_final;
    return order;
}

struct Applied {
    const OrderRecord& before;
    const sdk::Decision& decision;
    const sdk::Event& event;
    const std::string& policy;
    UtcMs now_ms;
    UtcMs written_at_ms;
};

// Writes an allowed, checked decision. Any error rolls the whole transaction back.
Result<OrderRecord> write_decision(soci::session& sql, const Applied& a, const sdk::ProductInfo& product) {
    auto system = ledger::system_accounts(sql, a.before.tenant_id);
    if (!system) return system.error();
    OrderRecord after = changed_order(a.before, a.decision, product, a.policy, a.now_ms);
    const std::string event_id = new_id("evt");
    const order_moves::Target target{system.value(), event_id, a.written_at_ms};
    if (auto moved = order_moves::post(sql, a.decision.moves, target, after); !moved) return moved.error();
    // The optimistic check: a concurrent writer that changed the row makes this a conflict, and
    // Database::write re-runs everything (read, decide, check) on the fresh row.
    if (auto updated = orders::update(sql, after, a.before.version); !updated) return updated.error();
    after.version = a.before.version + 1;
    for (const std::string& name : a.decision.drop_timers) timers::drop(sql, after.id, name);
    for (const sdk::TimerRequest& t : a.decision.add_timers) {
        timers::upsert(sql, timers::TimerRow{after.id, t.name, after.tenant_id, t.due_at_ms});
    }
    events::append(sql, events::EventRow{event_id, after.tenant_id, after.id, after.version, a.event.type,
                                         a.event.timer, a.event.actor, a.policy, a.now_ms, true, a.decision.code,
                                         json_codec::encode(a.decision), a.written_at_ms});
    return after;
}

}  // namespace

Result<ApplyResult> Engine::apply(const std::string& tenant_id, const std::string& order_id, const sdk::Event& event,
                                  UtcMs now_ms, const std::optional<IdempotencyRecord>& idem) {
    auto policy_ref = policy_for(tenant_id);
    if (!policy_ref) return policy_ref.error();
    const std::shared_ptr<const plugin::PolicyInstance> policy = policy_ref.value();
    return db_.write([&](soci::session& sql) -> Result<ApplyResult> {
        auto result = apply_in(sql, *policy, tenant_id, order_id, event, now_ms);
        if (result && idem) idempotency::insert(sql, tenant_id, *idem, clock_.now_ms());
        return result;
    });
}

Result<ApplyResult> Engine::apply_in(soci::session& sql, const plugin::PolicyInstance& policy,
                                     const std::string& tenant_id, const std::string& order_id,
                                     const sdk::Event& event, UtcMs now_ms) {
    auto order = orders::get(sql, tenant_id, order_id, db_.dialect().lock_rows);
    if (!order) return order.error();
    const OrderRecord& before = order.value();
    auto product = product_of(policy, before);
    if (!product) return product.error();
    auto decision = ask_decision(policy, before, event, now_ms);
    if (!decision) return decision.error();
    const sdk::Decision& d = decision.value();
    if (!d.allowed) {
        return ApplyResult{false, d.code, d.message, d.available_at_ms, before};
    }
    auto customer = accounts::get(sql, tenant_id, before.account_id);
    if (!customer) return customer.error();
    const sdk::OrderView view = order_moves::view_of(before);
    const decision_check::Facts facts{view, *product.value(), before.is_final, customer.value().balance_minor, now_ms};
    const std::string label = order_moves::policy_label(policy.info());
    if (auto broken = decision_check::violation(d, facts)) {
        // The rule and the amounts only: no secrets live in a decision, and none are logged.
        return Error{engine_error::policy_violation, label + " on order " + order_id + ": " + *broken};
    }
    auto after = write_decision(sql, Applied{before, d, event, label, now_ms, clock_.now_ms()}, *product.value());
    if (!after) return after.error();
    return ApplyResult{true, d.code, d.message, std::nullopt, std::move(after).value()};
}

Result<TimerRun> Engine::run_leased_timer(const timers::TimerRow& timer, const std::string& owner) {
    auto policy_ref = policy_for(timer.tenant_id);
    if (!policy_ref) return policy_ref.error();
    const std::shared_ptr<const plugin::PolicyInstance> policy = policy_ref.value();
    sdk::Event event;
    event.type = sdk::event_type::timer;
    event.timer = timer.name;
    event.actor = "system";
    return db_.write([&](soci::session& sql) -> Result<TimerRun> {
        if (!timers::remove_leased(sql, timer.order_id, timer.name, owner)) {
            return TimerRun::lost;
        }
        auto result = apply_in(sql, *policy, timer.tenant_id, timer.order_id, event, timer.due_at_ms);
        if (!result) {
            // A timer of a vanished order can never apply: deleting it is all there is to do.
            // Any other error rolls back, and the timer is retried when its lease ends.
            if (result.error().code == engine_error::order_not_found) return TimerRun::denied;
            return result.error();
        }
        return result.value().allowed ? TimerRun::applied : TimerRun::denied;
    });
}

}  // namespace billing
