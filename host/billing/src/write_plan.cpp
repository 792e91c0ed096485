#include "write_plan.hpp"

#include <algorithm>

#include "billing/rules/decision_check.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/json_codec.hpp"
#include "order_moves.hpp"

namespace billing::write_plan {

namespace {

OrderRecord new_order(const Purchase& p, const Common& c) {
    const sdk::Quote& quote = p.quote;
    OrderRecord o;
    o.id = p.order_id;
    o.tenant_id = p.tenant_id;
    o.account_id = p.account_id;
    o.product = p.product.name;
    o.state = quote.state;
    o.attributes = quote.attributes;
    o.terms = quote.terms;
    o.price_minor = quote.price_minor;
    o.charged_minor = quote.price_minor;
    o.policy = c.policy;
    o.is_final = decision_check::is_final_state(p.product, quote.state);
    o.version = 1;
    o.created_at_ms = c.now_ms;
    o.updated_at_ms = c.now_ms;
    if (o.is_final) o.closed_at_ms = c.now_ms;
    return o;
}

// The order after the decision, its version bumped.
OrderRecord changed_order(const Decision& d, const Common& c) {
    const sdk::Decision& decision = d.decision;
    OrderRecord order = d.before;
    if (!decision.new_state.empty()) order.state = decision.new_state;
    for (const auto& [key, value] : decision.set_attributes) order.attributes[key] = value;
    for (const auto& [key, value] : decision.set_terms) order.terms[key] = value;
    if (!decision.outcome.empty()) order.outcome = decision.outcome;
    order.policy = c.policy;
    // Never backwards: a late timer keeps its due time as its decision time, but the order's
    // last decision time must not fall behind a request decided before it, or the next request
    // could again be decided earlier than one already applied.
    order.updated_at_ms = std::max(order.updated_at_ms, c.now_ms);
    const bool now_final = decision_check::is_final_state(d.product, order.state);
    if (now_final && !order.is_final) order.closed_at_ms = c.now_ms;
    order.is_final = now_final;
    order.version = d.before.version + 1;
    return order;
}

MinorUnits refunded_minor(const std::vector<sdk::MoneyMove>& moves) {
    MinorUnits refunded = 0;
    for (const sdk::MoneyMove& m : moves) {
        if (m.kind == sdk::MoveKind::refund || m.kind == sdk::MoveKind::refund_captured) refunded += m.amount_minor;
    }
    return refunded;
}

// The moves' transfers after those already in plan (a purchase's charge), then the invariants:
// the error that refuses the plan, or nothing. The plan is finished in place, not moved.
std::optional<Error> finish(Plan& plan, const std::vector<sdk::MoneyMove>& moves, const Common& c) {
    const OrderRecord& order = plan.order.order;
    auto transfers =
        order_moves::transfers_for(moves, order_moves::Target{c.system, c.event_id, c.written_at_ms}, order);
    if (!transfers) return transfers.error();
    if (plan.transfers.empty()) {
        plan.transfers = std::move(transfers).value();
    } else {
        plan.transfers.insert(plan.transfers.end(), std::make_move_iterator(transfers.value().begin()),
                              std::make_move_iterator(transfers.value().end()));
    }
    plan.refunded_minor = refunded_minor(moves);
    if (auto broken = invariant_breach(plan, c.system)) {
        return Error{engine_error::ledger_violation,
                     "ledger invariant broken by " + c.policy + " on order " + order.id + ": " + *broken};
    }
    return std::nullopt;
}

}  // namespace

Result<Plan> plan_purchase(const Purchase& p, const Common& c) {
    const sdk::Quote& quote = p.quote;
    Plan plan;
    plan.order.order = new_order(p, c);
    plan.order.expected_version = 0;
    OrderRecord& order = plan.order.order;
    order_moves::add_amounts(quote.moves, order);
    plan.add_timers.reserve(quote.timers.size());
    for (const sdk::TimerRequest& timer : quote.timers) {
        plan.add_timers.push_back(timers::TimerRow{
            .order_id = order.id, .name = timer.name, .tenant_id = order.tenant_id, .due_at_ms = timer.due_at_ms});
    }
    // The first event record: the quote, in the shape of a decision. Its own fields are the
    // order's, so it records no request.
    sdk::Decision as_decision = sdk::allow(quote.message);
    as_decision.new_state = quote.state;
    as_decision.moves = quote.moves;
    as_decision.add_timers = quote.timers;
    as_decision.set_attributes = quote.attributes;
    as_decision.set_terms = quote.terms;
    plan.event = events::EventRow{.id = c.event_id,
                                  .tenant_id = order.tenant_id,
                                  .order_id = order.id,
                                  .seq = order.version,
                                  .type = events::purchase_type,
                                  .timer = "",
                                  .actor = "customer",
                                  .policy = c.policy,
                                  .now_ms = c.now_ms,
                                  .allowed = true,
                                  .code = quote.code,
                                  .decision_json = json_codec::encode(as_decision),
                                  .created_at_ms = c.written_at_ms,
                                  .request_json = ""};
    if (quote.price_minor > 0) {
        plan.transfers.push_back(ledger::Transfer{.tenant_id = order.tenant_id,
                                                  .debit_account_id = order.account_id,
                                                  .credit_account_id = c.system.escrow,
                                                  .amount_minor = quote.price_minor,
                                                  .kind = ledger::transfer_kind::purchase,
                                                  .order_id = order.id,
                                                  .event_id = c.event_id,
                                                  .created_at_ms = c.written_at_ms});
    }
    plan.closed = order.is_final;
    if (auto refused = finish(plan, quote.moves, c)) return *std::move(refused);
    return plan;
}

Result<Plan> plan_decision(const Decision& d, const Common& c) {
    const sdk::Decision& decision = d.decision;
    Plan plan;
    plan.order = orders::VersionedUpdate{.order = changed_order(d, c),
                                         .expected_version = d.before.version,
                                         .attributes_changed = !decision.set_attributes.empty(),
                                         .terms_changed = !decision.set_terms.empty()};
    OrderRecord& order = plan.order.order;
    order_moves::add_amounts(decision.moves, order);
    plan.drop_timers = decision.drop_timers;
    plan.add_timers.reserve(decision.add_timers.size());
    for (const sdk::TimerRequest& timer : decision.add_timers) {
        plan.add_timers.push_back(timers::TimerRow{
            .order_id = order.id, .name = timer.name, .tenant_id = order.tenant_id, .due_at_ms = timer.due_at_ms});
    }
    plan.event = events::EventRow{.id = c.event_id,
                                  .tenant_id = order.tenant_id,
                                  .order_id = order.id,
                                  .seq = order.version,
                                  .type = d.event.type,
                                  .timer = d.event.timer,
                                  .actor = d.event.actor,
                                  .policy = c.policy,
                                  .now_ms = c.now_ms,
                                  .allowed = true,
                                  .code = decision.code,
                                  .decision_json = json_codec::encode(decision),
                                  .created_at_ms = c.written_at_ms,
                                  .request_json = json_codec::encode_request(d.event)};
    plan.closed = order.is_final && !d.before.is_final;
    if (auto refused = finish(plan, decision.moves, c)) return *std::move(refused);
    return plan;
}

namespace {

std::optional<std::string> amounts_breach(const OrderRecord& o) {
    if (o.charged_minor < 0 || o.captured_minor < 0 || o.refunded_from_escrow_minor < 0 ||
        o.refunded_from_revenue_minor < 0) {
        return "a running amount below 0";
    }
    if (o.charged_minor > order_charged_minor_max) {
        return "charged " + std::to_string(o.charged_minor) + " past " + std::to_string(order_charged_minor_max);
    }
    // Each amount is at most order_charged_minor_max once charged is: no overflow.
    if (o.captured_minor > o.charged_minor - o.refunded_from_escrow_minor) {
        return "captured " + std::to_string(o.captured_minor) + " + refunded from escrow " +
               std::to_string(o.refunded_from_escrow_minor) + " exceed charged " + std::to_string(o.charged_minor);
    }
    if (o.refunded_from_revenue_minor > o.captured_minor) {
        return "refunded from revenue " + std::to_string(o.refunded_from_revenue_minor) + " exceeds captured " +
               std::to_string(o.captured_minor);
    }
    return std::nullopt;
}

// The account of kind for this order: its customer, or one of the tenant's system accounts.
// Written apart from order_moves' twin on purpose: a check that shares the code it checks sees
// none of its bugs.
const std::string& account_of(std::string_view kind, const ledger::SystemAccounts& system, const OrderRecord& order) {
    if (kind == account_kind::escrow) return system.escrow;
    if (kind == account_kind::revenue) return system.revenue;
    if (kind == account_kind::funding) return system.funding;
    return order.account_id;
}

std::optional<std::string> transfer_breach(const ledger::Transfer& t, const Plan& plan,
                                           const ledger::SystemAccounts& system) {
    const OrderRecord& order = plan.order.order;
    const ledger::vocabulary::TransferKind* kind = nullptr;
    if (ledger::shape_breach(t, kind) != ledger::Breach::none) {
        return "a " + t.kind + " transfer of " + std::to_string(t.amount_minor) + " breaks the ledger's rules";
    }
    if (t.tenant_id != order.tenant_id || t.order_id != order.id || t.event_id != plan.event.id ||
        t.debit_account_id != account_of(kind->debit_account_kind, system, order) ||
        t.credit_account_id != account_of(kind->credit_account_kind, system, order)) {
        return "a " + t.kind + " transfer between accounts its kind does not name";
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> invariant_breach(const Plan& plan, const ledger::SystemAccounts& system) {
    if (auto broken = amounts_breach(plan.order.order)) return broken;
    for (const ledger::Transfer& t : plan.transfers) {
        if (auto broken = transfer_breach(t, plan, system)) return broken;
    }
    return std::nullopt;
}

}  // namespace billing::write_plan
