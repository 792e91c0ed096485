#include "order_moves.hpp"

#include "billing/engine/errors.hpp"

namespace billing::order_moves {

namespace {

ledger::Transfer transfer_for(const sdk::MoneyMove& move, const Target& target, const OrderRecord& order) {
    ledger::Transfer t;
    t.tenant_id = order.tenant_id;
    t.amount_minor = move.amount_minor;
    t.order_id = order.id;
    t.event_id = target.event_id;
    t.created_at_ms = target.created_at_ms;
    const ledger::SystemAccounts& a = target.accounts;
    switch (move.kind) {
        case sdk::MoveKind::charge:
            t.kind = ledger::transfer_kind::charge;
            t.debit_account_id = order.account_id;
            t.credit_account_id = a.escrow;
            break;
        case sdk::MoveKind::capture:
            t.kind = ledger::transfer_kind::capture;
            t.debit_account_id = a.escrow;
            t.credit_account_id = a.revenue;
            break;
        case sdk::MoveKind::refund:
            t.kind = ledger::transfer_kind::refund;
            t.debit_account_id = a.escrow;
            t.credit_account_id = order.account_id;
            break;
        case sdk::MoveKind::refund_captured:
            t.kind = ledger::transfer_kind::refund_captured;
            t.debit_account_id = a.revenue;
            t.credit_account_id = order.account_id;
            break;
    }
    return t;
}

void add_to_amounts(const sdk::MoneyMove& move, OrderRecord& order) {
    switch (move.kind) {
        case sdk::MoveKind::charge: order.charged_minor += move.amount_minor; break;
        case sdk::MoveKind::capture: order.captured_minor += move.amount_minor; break;
        case sdk::MoveKind::refund: order.refunded_from_escrow_minor += move.amount_minor; break;
        case sdk::MoveKind::refund_captured: order.refunded_from_revenue_minor += move.amount_minor; break;
    }
}

}  // namespace

Result<Unit> post(soci::session& sql, const std::vector<sdk::MoneyMove>& moves, const Target& target,
                  OrderRecord& order) {
    for (const sdk::MoneyMove& move : moves) {
        const ledger::Transfer transfer = transfer_for(move, target, order);
        if (transfer.kind.empty()) {
            return Error{engine_error::policy_violation, "move_kind_unknown: a move of an unknown kind"};
        }
        auto posted = ledger::post(sql, transfer);
        if (!posted) {
            return posted.error();
        }
        add_to_amounts(move, order);
    }
    return Unit{};
}

std::string policy_label(const sdk::PolicyInfo& info) { return info.name + "@" + info.version; }

sdk::OrderView view_of(const OrderRecord& o) {
    sdk::OrderView v;
    v.id = o.id;
    v.product = o.product;
    v.state = o.state;
    v.attributes = o.attributes;
    v.terms = o.terms;
    v.price_minor = o.price_minor;
    v.charged_minor = o.charged_minor;
    v.captured_minor = o.captured_minor;
    v.refunded_from_escrow_minor = o.refunded_from_escrow_minor;
    v.refunded_from_revenue_minor = o.refunded_from_revenue_minor;
    v.created_at_ms = o.created_at_ms;
    v.updated_at_ms = o.updated_at_ms;
    return v;
}

}  // namespace billing::order_moves
