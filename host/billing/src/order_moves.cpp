#include "order_moves.hpp"

#include "billing/storage/engine_errors.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/ledger_vocabulary.hpp"

namespace billing::order_moves {

namespace {

// The transfer kind of each money move; which accounts it debits and credits comes from the
// shared ledger vocabulary, the same table the audit checks against.
const char* transfer_kind_of(sdk::MoveKind kind) {
    switch (kind) {
        case sdk::MoveKind::charge: return ledger::transfer_kind::charge;
        case sdk::MoveKind::capture: return ledger::transfer_kind::capture;
        case sdk::MoveKind::refund: return ledger::transfer_kind::refund;
        case sdk::MoveKind::refund_captured: return ledger::transfer_kind::refund_captured;
    }
    return "";
}

// The account of `kind` for this order: its customer, or one of the tenant's system accounts.
const std::string& account_of(std::string_view kind, const ledger::SystemAccounts& a, const OrderRecord& order) {
    namespace account_kind = storage::ledger_vocabulary::account_kind;
    if (kind == account_kind::escrow) return a.escrow;
    if (kind == account_kind::revenue) return a.revenue;
    if (kind == account_kind::funding) return a.funding;
    return order.account_id;
}

ledger::Transfer transfer_for(const sdk::MoneyMove& move, const Target& target, const OrderRecord& order) {
    const auto* kind = storage::ledger_vocabulary::find_transfer_kind(transfer_kind_of(move.kind));
    ledger::Transfer t;
    // A move of no kind the vocabulary knows (a MoveKind the host does not know) is left without
    // a kind, which transfers_for refuses, in every build.
    if (kind == nullptr) return t;
    t.tenant_id = order.tenant_id;
    t.amount_minor = move.amount_minor;
    t.order_id = order.id;
    t.event_id = target.event_id;
    t.created_at_ms = target.created_at_ms;
    t.kind = transfer_kind_of(move.kind);
    t.debit_account_id = account_of(kind->debit_account_kind, target.accounts, order);
    t.credit_account_id = account_of(kind->credit_account_kind, target.accounts, order);
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

void add_amounts(const std::vector<sdk::MoneyMove>& moves, OrderRecord& order) {
    for (const sdk::MoneyMove& move : moves) add_to_amounts(move, order);
}

Result<std::vector<ledger::Transfer>> transfers_for(const std::vector<sdk::MoneyMove>& moves, const Target& target,
                                                    const OrderRecord& order) {
    std::vector<ledger::Transfer> transfers;
    transfers.reserve(moves.size());
    for (const sdk::MoneyMove& move : moves) {
        ledger::Transfer transfer = transfer_for(move, target, order);
        if (transfer.kind.empty()) {
            return Error{engine_error::policy_violation,
                         order.policy + " on order " + order.id + ": move_kind_unknown: a move of an unknown kind"};
        }
        transfers.push_back(std::move(transfer));
    }
    return transfers;
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
