// The sweeper's side of the engine: leased timers run one by one (each in its own transaction)
// or as a claimed batch in one transaction, set-based where the batch allows it.
#include <map>
#include <optional>
#include <set>

#include "billing/core/ids.hpp"
#include "billing/engine/engine.hpp"
#include "billing/rules/decision_check.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/errors.hpp"
#include "billing/storage/events.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/orders.hpp"
#include "decision_steps.hpp"
#include "order_moves.hpp"
#include "plan_writer.hpp"
#include "write_plan.hpp"

namespace billing {

TimerOutcome Engine::run_leased_timer(const timers::TimerRow& timer, const std::string& owner,
                                      const TimerPolicies& policies) {
    auto ran = run_timer_in_one_transaction(timer, owner, policies);
    if (!ran) return record_timer_failure(timer, owner, ran.error());
    if (ran.value().applied) tell(sdk::event_type::timer, *ran.value().applied);
    return std::move(ran).value();
}

Result<TimerOutcome> Engine::run_timer_in(soci::session& sql, const timers::TimerRow& timer, const std::string& owner,
                                          const TimerPolicies& policies) {
    const auto found = policies.find(timer.tenant_id);
    if (found == policies.end()) {
        return Error{engine_error::policy_unavailable, "no policy was looked up for tenant " + timer.tenant_id};
    }
    const auto& policy = found->second;
    if (!policy) return policy.error();
    sdk::Event event;
    event.type = sdk::event_type::timer;
    event.timer = timer.name;
    event.actor = events::system_actor;
    // The order first, then its timer: the lock order of apply (see engine.hpp).
    auto order = orders::get(sql, timer.tenant_id, timer.order_id, db_.dialect().lock_rows);
    if (!order && order.error().code != engine_error::order_not_found) return order.error();
    if (!timers::remove_leased(sql, timer, owner)) return TimerOutcome{.run = TimerRun::lost};
    // A timer of a vanished order can never apply: deleting it is all there is to do.
    if (!order) return TimerOutcome{.run = TimerRun::denied};
    auto decided = decide_in(sql, *policy.value(), order.value(), event, timer.due_at_ms);
    if (!decided) return decided.error();
    ApplyResult& applied = decided.value().applied;
    const TimerRun run = applied.allowed ? TimerRun::applied : TimerRun::denied;
    return TimerOutcome{.run = run, .applied = std::move(applied)};
}

Result<TimerOutcome> Engine::run_timer_in_one_transaction(const timers::TimerRow& timer, const std::string& owner,
                                                          const TimerPolicies& policies) {
    return db_.write([&](soci::session& sql) { return run_timer_in(sql, timer, owner, policies); });
}

std::vector<TimerOutcome> Engine::run_leased_timers(const std::vector<timers::TimerRow>& batch,
                                                    const std::string& owner, const TimerPolicies& policies) {
    if (batch.size() > 1) {
        // Already a batch, of up to [timers] batch_max timers: a transaction of its own rather than
        // a group-commit batch that requests would wait behind (Database::write_alone).
        auto together = db_.write_alone([&](soci::session& sql) { return run_batch_in(sql, batch, owner, policies); });
        if (together) {
            for (const TimerOutcome& outcome : together.value()) {
                if (outcome.applied) tell(sdk::event_type::timer, *outcome.applied);
            }
            return std::move(together).value();
        }
        // The batch transaction rolled back as a whole (after Database::write's retries of a
        // conflict): nothing of it is committed, so each timer runs again on its own, exactly as
        // if it had never been batched. Its lease is still this owner's, or it is lost.
    }
    std::vector<TimerOutcome> outcomes;
    outcomes.reserve(batch.size());
    for (const timers::TimerRow& timer : batch) outcomes.push_back(run_leased_timer(timer, owner, policies));
    return outcomes;
}

Result<Engine::OrdersById> Engine::lock_orders_of(soci::session& sql, const std::vector<timers::TimerRow>& timers) {
    std::vector<std::string> order_ids;
    for (const timers::TimerRow& timer : timers) order_ids.push_back(timer.order_id);
    return orders::get_all(sql, order_ids, db_.dialect().lock_rows);
}

Result<std::vector<TimerOutcome>> Engine::run_batch_in(soci::session& sql, const std::vector<timers::TimerRow>& batch,
                                                       const std::string& owner, const TimerPolicies& policies) {
    std::vector<std::optional<TimerOutcome>> done(batch.size());
    // The orders first (locked), then their timers, then the accounts: the lock order of apply.
    auto orders = lock_orders_of(sql, batch);
    if (!orders) return orders.error();
    if (auto set_based = run_set_based_in(sql, batch, owner, Held::leased, orders.value(), policies, done);
        !set_based) {
        return set_based.error();
    }
    return run_rest_in(sql, batch, owner, policies, done);
}

Result<SweptBatch> Engine::run_due_batch(const std::vector<timers::TimerRow>& candidates, const std::string& owner,
                                         UtcMs now_ms, UtcMs lease_until_ms, const TimerPolicies& policies) {
    // A transaction of its own, as run_leased_timers' batch.
    auto swept = db_.write_alone([&](soci::session& sql) -> Result<SweptBatch> {
        SweptBatch batch;
        // The lock order of apply: the orders, then their timers, then the accounts.
        auto orders = lock_orders_of(sql, candidates);
        if (!orders) return orders.error();
        batch.claimed = timers::lock_claimable(sql, candidates, now_ms, db_.dialect().lock_rows);
        if (batch.claimed.empty()) return batch;
        std::vector<std::optional<TimerOutcome>> done(batch.claimed.size());
        if (auto set_based = run_set_based_in(sql, batch.claimed, owner, Held::locked, orders.value(), policies, done);
            !set_based) {
            return set_based.error();
        }
        // What the set-based pass left runs one by one, each on a leased row (a failure is
        // counted there, and its lease pushes the retry out). No other sweeper can take these
        // rows (they are locked), but a decision of the set-based pass may have dropped or moved
        // a later timer of its own order: that one is lost, as in a leased batch.
        std::vector<timers::TimerRow> rest;
        for (std::size_t i = 0; i < done.size(); ++i) {
            if (!done[i]) rest.push_back(batch.claimed[i]);
        }
        if (!rest.empty()) {
            std::set<std::string> leased;
            for (const timers::TimerRow& t : timers::claim_all(sql, rest, owner, now_ms, lease_until_ms)) {
                leased.insert(timers::exact_key(t));
            }
            for (std::size_t i = 0; i < done.size(); ++i) {
                if (!done[i] && leased.count(timers::exact_key(batch.claimed[i])) == 0) {
                    done[i] = TimerOutcome{.run = TimerRun::lost};
                }
            }
        }
        auto outcomes = run_rest_in(sql, batch.claimed, owner, policies, done);
        if (!outcomes) return outcomes.error();
        batch.outcomes = std::move(outcomes).value();
        return batch;
    });
    if (!swept) return swept.error();
    for (const TimerOutcome& outcome : swept.value().outcomes) {
        if (outcome.applied) tell(sdk::event_type::timer, *outcome.applied);
    }
    return swept;
}

Result<std::vector<TimerOutcome>> Engine::run_rest_in(soci::session& sql, const std::vector<timers::TimerRow>& batch,
                                                      const std::string& owner, const TimerPolicies& policies,
                                                      std::vector<std::optional<TimerOutcome>>& done) {
    std::vector<TimerOutcome> outcomes;
    outcomes.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (done[i]) {
            outcomes.push_back(std::move(*done[i]));
            continue;
        }
        // The timers the set-based pass left (see run_set_based_in) run one by one, after it, in
        // batch order. Each timer's effect and the delete of its row are released or rolled back
        // together.
        const timers::TimerRow& timer = batch[i];
        storage::Savepoint savepoint(sql, "timer_run");
        Result<TimerOutcome> ran = Error{};
        try {
            ran = run_timer_in(sql, timer, owner, policies);
        } catch (...) {
            ran = storage::describe_current_storage_failure();
        }
        if (ran) {
            savepoint.release();
            outcomes.push_back(std::move(ran).value());
            continue;
        }
        // The database's trouble (a conflict, a lost connection; on MySQL a deadlock has already
        // rolled back the whole transaction) ends the batch: Database::write rolls it back and
        // retries it, and the caller falls back to one transaction per timer.
        if (storage::is_transient(ran.error().code)) return ran.error();
        // The timer's own failure: undo its partial effect, count it, and go on with the batch.
        savepoint.rollback();
        const timers::FailureRecord recorded = timers::record_failure(sql, timer, owner, ran.error());
        const bool parked = recorded == timers::FailureRecord::parked;
        outcomes.push_back(TimerOutcome{.run = parked ? TimerRun::parked : TimerRun::failed, .error = ran.error()});
    }
    return outcomes;
}

// What the set-based pass of a batch has found so far, and what it writes at its end.
struct Engine::SetBasedPass {
    // What is still held, exactly as claimed (timers::exact_key), and how many timers owner
    // holds of each order.
    std::set<std::string> held;
    std::map<std::string, std::size_t> held_of_order;
    // The timers the pass decided (applied, denied, of a vanished order), whose rows it deletes,
    // and the plans of the applied ones.
    std::vector<timers::TimerRow> removed;
    plan_writer::Batch writes;
    UtcMs written_at_ms = 0;  // the clock's time of the pass's writes

    void hold(const std::vector<timers::TimerRow>& rows) {
        for (const timers::TimerRow& timer : rows) {
            held.insert(timers::exact_key(timer));
            ++held_of_order[timer.order_id];
        }
    }
};

namespace {

// A timer's decision as the set-based pass takes it, with what it was decided over.
struct PlainDecision {
    sdk::Event event;
    sdk::Decision decision;
    const sdk::ProductInfo* product = nullptr;
};

// The policy's decision on timer over before when it is the plain case: the order's product
// found, the policy answered, and its answer (a denial too) within the host's checks. Anything
// else is nullopt, left to the per-timer pass, which counts the failure on the timer's row alone.
std::optional<PlainDecision> plain_decision(const plugin::PolicyInstance& policy, const OrderRecord& before,
                                            const timers::TimerRow& timer) {
    auto product = decision_steps::product_of(policy, before);
    if (!product) return std::nullopt;
    sdk::Event event;
    event.type = sdk::event_type::timer;
    event.timer = timer.name;
    event.actor = events::system_actor;
    sdk::Context context;
    context.now_ms = timer.due_at_ms;  // a late run decides as an on-time one
    auto decision = decision_steps::ask_decision(policy, before, event, context);
    if (!decision) return std::nullopt;
    const sdk::OrderView view = order_moves::view_of(before);
    const decision_check::Facts facts{.order = view,
                                      .product = *product.value(),
                                      .order_is_final = before.is_final,
                                      .customer_balance_minor = 0,
                                      .now_ms = timer.due_at_ms,
                                      .timer_event = true};
    if (decision_check::violation(decision.value(), facts)) return std::nullopt;
    return PlainDecision{
        .event = std::move(event), .decision = std::move(decision).value(), .product = product.value()};
}

// Deletes the rows of the timers the set-based pass decided while owner still holds each
// (held_of_order: how many timers owner holds of each order). By order where this pass decided
// every timer owner holds of it (one statement per chunk), else one by one (an order with a timer
// left to the per-timer pass).
Result<Unit> remove_leased(soci::session& sql, const std::vector<timers::TimerRow>& removed, const std::string& owner,
                           const std::map<std::string, std::size_t>& held_of_order) {
    std::vector<std::string> whole_orders;
    for (const timers::TimerRow& timer : removed) {
        if (held_of_order.at(timer.order_id) == 1) {
            whole_orders.push_back(timer.order_id);
        } else if (!timers::remove_leased(sql, timer, owner)) {
            return Error{storage::storage_error::conflict, "a leased timer of the batch changed while it was locked"};
        }
    }
    // Every one still held, unless its lease ended and another sweeper took it over meanwhile:
    // then the whole batch runs again and finds it lost.
    if (timers::remove_leased_of_orders(sql, whole_orders, owner) != whole_orders.size()) {
        return Error{storage::storage_error::conflict, "a leased timer of the batch changed while it was locked"};
    }
    return Unit{};
}

}  // namespace

Result<Unit> Engine::run_set_based_in(soci::session& sql, const std::vector<timers::TimerRow>& batch,
                                      const std::string& owner, Held held_as, const OrdersById& orders,
                                      const TimerPolicies& policies, std::vector<std::optional<TimerOutcome>>& done) {
    SetBasedPass pass;
    // What is still held, exactly as claimed: a locked batch holds every row (lock_claimable
    // checked each); a leased one what owner still holds (a timer moved since has lost its
    // lease), not locked, so the deletes at the end count their rows under the same lease
    // condition.
    std::vector<timers::TimerRow> leased;
    if (held_as == Held::leased) leased = timers::leased_by(sql, owner);
    pass.hold(held_as == Held::locked ? batch : leased);
    pass.written_at_ms = clock_.now_ms();
    pass.writes.reserve(batch.size());
    std::set<std::string> orders_seen;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        // A second timer of an order decides after the first one's effect: it is left to the
        // per-timer pass, which runs after this pass's writes.
        if (!orders_seen.insert(batch[i].order_id).second) continue;
        if (auto decided = decide_set_based(sql, batch[i], orders, policies, pass, done[i]); !decided) {
            return decided.error();
        }
    }
    return write_set_based(sql, owner, held_as, pass);
}

Result<Unit> Engine::decide_set_based(soci::session& sql, const timers::TimerRow& timer, const OrdersById& orders,
                                      const TimerPolicies& policies, SetBasedPass& pass,
                                      std::optional<TimerOutcome>& outcome) {
    if (pass.held.count(timers::exact_key(timer)) == 0) {
        outcome.emplace(TimerOutcome{.run = TimerRun::lost, .set_based = true});
        return Unit{};
    }
    const auto found = orders.find(timer.order_id);
    if (found == orders.end() || found->second.tenant_id != timer.tenant_id) {
        // A timer of a vanished order can never apply: deleting it is all there is to do.
        pass.removed.push_back(timer);
        outcome.emplace(TimerOutcome{.run = TimerRun::denied, .set_based = true});
        return Unit{};
    }
    // A tenant without a policy is left to the per-timer pass, which counts the failure.
    const auto policy = policies.find(timer.tenant_id);
    if (policy == policies.end() || !policy->second) return Unit{};
    const OrderRecord& before = found->second;
    auto plain = plain_decision(*policy->second.value(), before, timer);
    if (!plain) return Unit{};
    const sdk::Decision& d = plain->decision;
    if (!d.allowed) {
        pass.removed.push_back(timer);
        outcome.emplace(TimerOutcome{.run = TimerRun::denied,
                                     .applied = ApplyResult{.allowed = false,
                                                            .code = d.code,
                                                            .message = d.message,
                                                            .available_at_ms = d.available_at_ms,
                                                            .order = before},
                                     .set_based = true});
        return Unit{};
    }
    // A charge is bounded by the customer's balance, which this pass does not read.
    if (decision_steps::charges(d.moves)) return Unit{};
    auto system = system_accounts(sql, timer.tenant_id);
    if (!system) return system.error();
    const std::string label = order_moves::policy_label(policy->second.value()->info());
    const std::string event_id = new_id("evt");
    auto plan =
        write_plan::plan_decision({.before = before, .decision = d, .event = plain->event, .product = *plain->product},
                                  {.system = system.value(),
                                   .policy = label,
                                   .event_id = event_id,
                                   .now_ms = timer.due_at_ms,
                                   .written_at_ms = pass.written_at_ms});
    // A plan the ledger invariant check refuses is the per-timer pass's failure to count.
    if (!plan) return Unit{};
    pass.removed.push_back(timer);
    const write_plan::Plan& p = plan.value();
    outcome.emplace(TimerOutcome{.run = TimerRun::applied,
                                 .applied = ApplyResult{.allowed = true,
                                                        .code = d.code,
                                                        .message = d.message,
                                                        .available_at_ms = std::nullopt,
                                                        .order = p.order.order,
                                                        .refunded_minor = p.refunded_minor,
                                                        .closed = p.closed},
                                 .set_based = true});
    pass.writes.add(std::move(plan).value());
    return Unit{};
}

Result<Unit> Engine::write_set_based(soci::session& sql, const std::string& owner, Held held_as,
                                     const SetBasedPass& pass) {
    if (held_as == Held::leased) {
        if (auto gone = remove_leased(sql, pass.removed, owner, pass.held_of_order); !gone) return gone.error();
    } else if (timers::remove_all(sql, pass.removed) != pass.removed.size()) {
        return Error{storage::storage_error::conflict, "a locked timer of the batch went away"};
    }
    // What the pass decided, its timers' rows already deleted.
    return pass.writes.write(sql, db_.dialect().lock_rows);
}

TimerOutcome Engine::record_timer_failure(const timers::TimerRow& timer, const std::string& owner, const Error& error) {
    if (storage::is_transient(error.code)) return TimerOutcome{.run = TimerRun::failed, .error = error};
    auto recorded = db_.write([&](soci::session& sql) -> Result<timers::FailureRecord> {
        return timers::record_failure(sql, timer, owner, error);
    });
    if (!recorded) {
        return TimerOutcome{.run = TimerRun::failed,
                            .error =
                                Error{error.code, error.message + " (not recorded: " + recorded.error().message + ")"}};
    }
    const bool parked = recorded.value() == timers::FailureRecord::parked;
    return TimerOutcome{.run = parked ? TimerRun::parked : TimerRun::failed, .error = error};
}

}  // namespace billing
