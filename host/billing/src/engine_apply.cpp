// Engine::apply (and decide_in, which the sweeper's per-timer path shares): load + lock the order,
// ask decide(), check the decision, then plan its writes (write_plan) and write them
// (plan_writer), all in one transaction.
#include <algorithm>

#include "billing/core/ids.hpp"
#include "billing/engine/engine.hpp"
#include "billing/rules/decision_check.hpp"
#include "billing/storage/accounts.hpp"
#include "billing/storage/disputes.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/errors.hpp"
#include "billing/storage/events.hpp"
#include "billing/storage/idempotency.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/orders.hpp"
#include "decision_steps.hpp"
#include "idempotent_call.hpp"
#include "order_moves.hpp"
#include "plan_writer.hpp"
#include "write_plan.hpp"

namespace billing {

namespace {

using decision_steps::ask_decision;
using decision_steps::product_of;

constexpr std::size_t event_field_chars_max = 32;  // events.type and events.actor
constexpr std::size_t timer_name_chars_max = 64;   // events.timer

// See Engine::apply: what a request may never carry.
std::optional<Error> refuse_request_event(const sdk::Event& event) {
    if (event.type == sdk::event_type::timer) {
        return Error{engine_error::invalid_request, "timer events are the sweeper's alone"};
    }
    if (event.type == events::purchase_type) {
        return Error{engine_error::invalid_request, "purchase is not an event of an existing order"};
    }
    if (event.actor == events::system_actor) {
        return Error{engine_error::invalid_request, "only the sweeper acts as system"};
    }
    if (event.type.empty() || event.type.size() > event_field_chars_max || event.actor.empty() ||
        event.actor.size() > event_field_chars_max || event.timer.size() > timer_name_chars_max) {
        return Error{engine_error::invalid_request, "an event needs a type and an actor of 1 to 32 characters"};
    }
    return std::nullopt;
}

// The events a person raises about an order's money (support refunds, disputes): the ones a
// policy may weigh against the account's recent history. Only these pay for counting it, so
// purchases, cancels, codes and timers stay as cheap as they were.
bool weighs_account_history(const std::string& event_type) {
    return event_type == sdk::event_type::support_refund || event_type == sdk::event_type::dispute_opened ||
           event_type == sdk::event_type::dispute_resolved;
}

sdk::Context context_of(soci::session& sql, const plugin::PolicyInstance& policy, const OrderRecord& order,
                        const sdk::Event& event, UtcMs now_ms) {
    sdk::Context context;
    context.now_ms = now_ms;
    const std::int64_t window_ms = policy.info().history_window_ms;
    if (window_ms > 0 && weighs_account_history(event.type)) {
        const auto recent = refund_grants::recent(sql, order.tenant_id, order.account_id, now_ms - window_ms, now_ms);
        context.account_recent_refunds = recent.refunds;
        context.account_recent_disputes = recent.disputes;
    }
    return context;
}

// A refund a person granted (support, or a dispute resolved with a refund) is kept by account
// and time: what Context::account_recent_refunds counts.
void record_refund_grant(soci::session& sql, const OrderRecord& order, const sdk::Event& event,
                         MinorUnits refunded_minor, UtcMs now_ms) {
    if (refunded_minor <= 0) return;
    if (event.type == sdk::event_type::support_refund) {
        const auto reason = event.text.find(sdk::event_field::reason);
        refund_grants::insert(sql, order.tenant_id, order.id, order.account_id, refund_grants::support_source,
                              reason == event.text.end() ? std::string() : reason->second, refunded_minor, now_ms);
    } else if (event.type == sdk::event_type::dispute_resolved) {
        refund_grants::insert(sql, order.tenant_id, order.id, order.account_id, refund_grants::dispute_source,
                              sdk::dispute_resolution::refund, refunded_minor, now_ms);
    }
}

}  // namespace

Result<EventResult> Engine::apply(const plugin::PolicyInstance& policy, const std::string& tenant_id,
                                  const std::string& order_id, const sdk::Event& event, UtcMs now_ms, Preview preview) {
    if (auto refused = refuse_request_event(event)) return *refused;
    auto result = db_.write(
        [&](soci::session& sql) { return apply_in(sql, policy, tenant_id, order_id, event, now_ms, preview); });
    if (result) tell(event.type, result.value().applied);
    return result;
}

Result<IdempotentResult<EventResult>> Engine::apply(const plugin::PolicyInstance& policy, const std::string& tenant_id,
                                                    const std::string& order_id, const sdk::Event& event, UtcMs now_ms,
                                                    const IdempotencyKey<EventResult>& idem) {
    if (auto refused = refuse_request_event(event)) return *refused;
    if (auto refused = idempotency::refusal(idem.key, idem.request_hash, static_cast<bool>(idem.respond))) {
        return *refused;
    }
    if (auto replayed = idempotent_call::replay_before_writing(db_, tenant_id, idem)) return std::move(*replayed);
    auto result = db_.write([&](soci::session& sql) {
        return idempotent_call::run(sql, tenant_id, idem, clock_.now_ms(), [&] {
            return apply_in(sql, policy, tenant_id, order_id, event, now_ms, Preview::cancel);
        });
    });
    if (result && result.value().result) tell(event.type, result.value().result->applied);
    return result;
}

void Engine::tell(const std::string& event_type, const ApplyResult& result) const {
    if (!change_listener_ || !result.allowed) return;
    change_listener_(OrderChange{.event_type = event_type,
                                 .order = result.order,
                                 .refunded_minor = result.refunded_minor,
                                 .closed = result.closed});
}

Result<EventResult> Engine::apply_in(soci::session& sql, const plugin::PolicyInstance& policy,
                                     const std::string& tenant_id, const std::string& order_id, const sdk::Event& event,
                                     UtcMs now_ms, Preview preview) {
    auto order = orders::get(sql, tenant_id, order_id, db_.dialect().lock_rows);
    if (!order) return order.error();
    // A request's decision time never runs backwards on an order: one that waited for the
    // order's lock while a later decision committed (a timer, or another request) is decided
    // after it, not at its own earlier time, when the policy would judge a state that time never
    // saw (a rental cancel at 17:09 allowed after the 20:00 capture, with nothing left to
    // refund). The order is locked here, so updated_at_ms is its last decision. Timers keep
    // their due time (DESIGN §5: a late run decides as an on-time one).
    const UtcMs decided_at_ms = std::max(now_ms, order.value().updated_at_ms);
    const std::optional<UtcMs> preview_at_ms = preview == Preview::cancel ? std::optional<UtcMs>(now_ms) : std::nullopt;
    return decide_in(sql, policy, order.value(), event, decided_at_ms, preview_at_ms);
}

namespace {

// The policy cannot see the balance: a charge beyond it (e.g. an extension the customer cannot
// pay) is the customer's insufficient funds, as for a purchase, not the policy's fault. The
// customer's balance, for decision_check's budget.
Result<MinorUnits> refuse_charge_beyond_balance(soci::session& sql, const OrderRecord& before,
                                                const std::vector<sdk::MoneyMove>& moves) {
    auto customer = accounts::get(sql, before.tenant_id, before.account_id);
    if (!customer) return customer.error();
    const MinorUnits balance_minor = customer.value().balance_minor;
    // Each charge alone is at most amount_minor_max, so their sum cannot overflow.
    MinorUnits charged_minor = 0;
    for (const sdk::MoneyMove& m : moves) {
        if (m.kind == sdk::MoveKind::charge && m.amount_minor > 0 && m.amount_minor <= amount_minor_max) {
            charged_minor += m.amount_minor;
        }
    }
    if (charged_minor > balance_minor) {
        return Error{engine_error::insufficient_funds, "the account holds " + std::to_string(balance_minor) +
                                                           ", the charge is " + std::to_string(charged_minor)};
    }
    return balance_minor;
}

}  // namespace

Result<EventResult> Engine::decide_in(soci::session& sql, const plugin::PolicyInstance& policy,
                                      const OrderRecord& before, const sdk::Event& event, UtcMs now_ms,
                                      const std::optional<UtcMs>& preview_at_ms) {
    auto product = product_of(policy, before);
    if (!product) return product.error();
    auto decision = ask_decision(policy, before, event, context_of(sql, policy, before, event, now_ms));
    if (!decision) return decision.error();
    const sdk::Decision& d = decision.value();
    const sdk::OrderView view = order_moves::view_of(before);
    const std::string label = order_moves::policy_label(policy.info());
    decision_check::Facts facts{.order = view,
                                .product = *product.value(),
                                .order_is_final = before.is_final,
                                .customer_balance_minor = 0,
                                .now_ms = now_ms,
                                .timer_event = event.type == sdk::event_type::timer};
    // The customer's balance bounds only a charge (decision_check's budget); every other move
    // leaves it or adds to it, and the ledger's conditional UPDATE guards every debit's balance
    // anyway. So the customer row is read only for an allowed decision that charges. A denial
    // writes nothing, but the API shows its available_at: it is checked too (a time the host can
    // print).
    if (d.allowed && decision_steps::charges(d.moves)) {
        auto balance_minor = refuse_charge_beyond_balance(sql, before, d.moves);
        if (!balance_minor) return balance_minor.error();
        facts.customer_balance_minor = balance_minor.value();
    }
    if (auto broken = decision_check::violation(d, facts)) {
        // The rule and the amounts only: no secrets live in a decision, and none are logged.
        return Error{engine_error::policy_violation, label + " on order " + before.id + ": " + *broken};
    }
    if (!d.allowed) {
        return EventResult{.applied = ApplyResult{.allowed = false,
                                                  .code = d.code,
                                                  .message = d.message,
                                                  .available_at_ms = d.available_at_ms,
                                                  .order = before},
                           .cancel = {}};
    }
    auto system = system_accounts(sql, before.tenant_id);
    if (!system) return system.error();
    const std::string event_id = new_id("evt");
    auto plan =
        write_plan::plan_decision({.before = before, .decision = d, .event = event, .product = *product.value()},
                                  {.system = system.value(),
                                   .policy = label,
                                   .event_id = event_id,
                                   .now_ms = now_ms,
                                   .written_at_ms = clock_.now_ms()});
    if (!plan) return plan.error();
    EventResult result;
    // The answer's cancel preview, from the order as the plan writes it and before any row is
    // written: the tenant's escrow row is locked by the transfers only, never through this second
    // call into the policy.
    if (preview_at_ms) result.cancel = cancel_preview(policy, plan.value().order.order, *preview_at_ms);
    if (auto written = plan_writer::write(sql, plan.value()); !written) return written.error();
    record_refund_grant(sql, before, event, plan.value().refunded_minor, now_ms);
    result.applied = ApplyResult{.allowed = true,
                                 .code = d.code,
                                 .message = d.message,
                                 .available_at_ms = std::nullopt,
                                 .order = std::move(plan.value().order.order),
                                 .refunded_minor = plan.value().refunded_minor,
                                 .closed = plan.value().closed};
    return result;
}

}  // namespace billing
