#include "billing/storage/ledger.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

#include "billing/core/ids.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/statement_cache.hpp"
#include "bulk_sql.hpp"
#include "held_balances.hpp"
#include "sql_util.hpp"
#include "transfer_row.hpp"

namespace billing::ledger {

namespace {

using sql_util::to_db;

// The three statements of a posting, prepared once per session (statement_cache.hpp).
struct MoveBalance : storage::CachedStatement {
    long long amount = 0, bound = 0;
    std::string account_id, tenant_id, account_kind;

    MoveBalance(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::use(amount), soci::use(account_id), soci::use(tenant_id),
                 soci::use(account_kind), soci::use(bound)));
    }
    bool moved() { return run_counted() == 1; }
};

const storage::SqlText debit_sql = "UPDATE accounts SET balance_minor = balance_minor - :a "
                                   "WHERE id = :id AND tenant_id = :t AND kind = :k AND balance_minor >= :floor";
const storage::SqlText credit_sql = "UPDATE accounts SET balance_minor = balance_minor + :a "
                                    "WHERE id = :id AND tenant_id = :t AND kind = :k AND balance_minor <= :limit";

struct InsertTransfer : storage::CachedStatement {
    storage::TransferRow row;

    InsertTransfer(soci::session& sql, const std::string& text) {
        prepare(storage::row_schema::prepared(sql, text,
                                              [&](soci::statement& st) { storage::row_schema::use_all(st, row); }));
    }
    void run() { statement().execute(true); }
};

const storage::SqlText insert_transfer_sql = storage::row_schema::insert_text<storage::TransferRow>("transfers");

// The conditional UPDATEs bind the rules' floor and ceiling (ledger_rules.hpp): a safety net
// under the checks of the callers that read the balances, and the check itself where nothing
// read them. A refused UPDATE is reported as the rules report that breach.
Result<Unit> debit(soci::session& sql, const Transfer& t, const vocabulary::TransferKind& kind) {
    storage::Prepared<MoveBalance> update(sql, debit_sql);
    update->amount = to_db(t.amount_minor);
    update->account_id = t.debit_account_id;
    update->tenant_id = t.tenant_id;
    update->account_kind = std::string(kind.debit_account_kind);
    update->bound = to_db(debit_floor(kind.debit_account_kind, t.amount_minor));
    if (update->moved()) {
        return Unit{};
    }
    return breach_error(Breach::debit_below_floor, t, &kind);
}

Result<Unit> credit(soci::session& sql, const Transfer& t, const vocabulary::TransferKind& kind) {
    storage::Prepared<MoveBalance> update(sql, credit_sql);
    update->amount = to_db(t.amount_minor);
    update->account_id = t.credit_account_id;
    update->tenant_id = t.tenant_id;
    update->account_kind = std::string(kind.credit_account_kind);
    update->bound = to_db(credit_ceiling(t.amount_minor));
    if (update->moved()) {
        return Unit{};
    }
    return breach_error(Breach::credit_above_cap, t, &kind);
}

void insert_row(soci::session& sql, const std::string& id, const Transfer& t) {
    storage::Prepared<InsertTransfer> insert(sql, insert_transfer_sql);
    insert->row.assign(id, t);
    insert->run();
}

}  // namespace

std::string system_ref(std::string_view account_kind) {
    return std::string(1, reserved_ref_prefix) + std::string(account_kind);
}

Result<SystemAccounts> system_accounts(soci::session& sql, const std::string& tenant_id) {
    namespace kinds = vocabulary::account_kind;
    const std::string funding = system_ref(kinds::funding);
    const std::string escrow = system_ref(kinds::escrow);
    const std::string revenue = system_ref(kinds::revenue);
    std::vector<std::string> ids(4), refs(4), found_kinds(4);
    sql << "SELECT id, external_ref, kind FROM accounts WHERE tenant_id = :t AND external_ref IN (:f, :e, :r)",
        soci::into(ids), soci::into(refs), soci::into(found_kinds), soci::use(tenant_id), soci::use(funding),
        soci::use(escrow), soci::use(revenue);
    SystemAccounts found;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        // A reserved name on an account of another kind is corrupt data: not a system account.
        if (refs[i] != system_ref(found_kinds[i])) continue;
        if (refs[i] == funding) found.funding = ids[i];
        if (refs[i] == escrow) found.escrow = ids[i];
        if (refs[i] == revenue) found.revenue = ids[i];
    }
    if (found.funding.empty() || found.escrow.empty() || found.revenue.empty()) {
        return Error{engine_error::tenant_not_found, "no such tenant (or its system accounts are missing)"};
    }
    return found;
}

namespace {

// The checks of a transfer that need no database: its kind, amount and two accounts.
Result<const vocabulary::TransferKind*> checked_kind(const Transfer& transfer) {
    const vocabulary::TransferKind* kind = nullptr;
    if (const Breach breach = shape_breach(transfer, kind); breach != Breach::none) {
        return breach_error(breach, transfer, kind);
    }
    return kind;
}

}  // namespace

namespace {

bool is_system_kind(std::string_view account_kind) { return account_kind != vocabulary::account_kind::customer; }

// post() inside a group-commit batch (held_balances.hpp): a system account's side is added to the
// batch's sum for it, written before COMMIT; a customer's side is written now, as outside a batch.
Result<Unit> move_in_batch(soci::session& sql, storage::HeldBalances& held, const Transfer& t,
                           const vocabulary::TransferKind& kind) {
    if (is_system_kind(kind.debit_account_kind)) {
        if (!held.add(t.debit_account_id, t.tenant_id, kind.debit_account_kind, -t.amount_minor)) {
            return breach_error(Breach::debit_mismatch, t, &kind);
        }
    } else if (auto debited = debit(sql, t, kind); !debited) {
        return debited.error();
    }
    if (is_system_kind(kind.credit_account_kind)) {
        if (!held.add(t.credit_account_id, t.tenant_id, kind.credit_account_kind, t.amount_minor)) {
            return breach_error(Breach::credit_mismatch, t, &kind);
        }
    } else if (auto credited = credit(sql, t, kind); !credited) {
        return credited.error();
    }
    return Unit{};
}

}  // namespace

Result<std::string> post(soci::session& sql, const Transfer& transfer) {
    auto checked = checked_kind(transfer);
    if (!checked) return checked.error();
    const vocabulary::TransferKind* kind = checked.value();
    if (storage::HeldBalances* held = storage::held_balances_of(sql)) {
        if (auto moved = move_in_batch(sql, *held, transfer, *kind); !moved) return moved.error();
        std::string id = new_id("trf");
        insert_row(sql, id, transfer);
        return id;
    }
    // Lower id first (see ledger.hpp): which side fails first does not matter, since any failure
    // rolls the whole transaction back.
    const bool debit_first = transfer.debit_account_id < transfer.credit_account_id;
    auto first = debit_first ? debit(sql, transfer, *kind) : credit(sql, transfer, *kind);
    if (!first) {
        return first.error();
    }
    auto second = debit_first ? credit(sql, transfer, *kind) : debit(sql, transfer, *kind);
    if (!second) {
        return second.error();
    }
    std::string id = new_id("trf");
    insert_row(sql, id, transfer);
    return id;
}

namespace {

// An account as post_all reads it, locked, and as the batch's transfers leave it.
struct HeldAccount {
    std::string tenant_id;
    std::string kind;
    MinorUnits balance_minor = 0;
    MinorUnits moved_minor = 0;  // the sum of the batch's moves: what is written
};

// The batch's accounts, read in ascending id order with the dialect's row lock: the order every
// posting locks accounts in (see post()).
std::map<std::string, HeldAccount> lock_accounts(soci::session& sql, const std::vector<Transfer>& transfers,
                                                 const std::string& lock_suffix) {
    std::vector<std::string> ids;
    for (const Transfer& t : transfers) {
        ids.push_back(t.debit_account_id);
        ids.push_back(t.credit_account_id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::map<std::string, HeldAccount> held;
    bulk_sql::for_each_chunk(ids.size(), [&](std::size_t begin, std::size_t end) {
        bulk_sql::Statement st(sql);
        st << "SELECT id, tenant_id, kind, balance_minor FROM accounts WHERE ";
        st.in_list("id", ids, begin, end) << " ORDER BY id" << lock_suffix;
        std::string id;
        HeldAccount account;
        long long balance = 0;
        st.select(bulk_sql::Into().text(id).text(account.tenant_id).text(account.kind).number(balance), [&] {
            account.balance_minor = sql_util::from_db(balance);
            held[id] = account;
        });
    });
    return held;
}

// One transfer against the held balances, by the ledger's rules (ledger_rules.hpp).
Result<Unit> move(std::map<std::string, HeldAccount>& held, const Transfer& t, const vocabulary::TransferKind& kind) {
    const auto debit = held.find(t.debit_account_id);
    const auto credit = held.find(t.credit_account_id);
    const auto state_of = [&](auto found) -> std::optional<AccountState> {
        if (found == held.end()) return std::nullopt;
        return AccountState{found->second.tenant_id, found->second.kind, found->second.balance_minor};
    };
    const std::optional<AccountState> debit_state = state_of(debit);
    const std::optional<AccountState> credit_state = state_of(credit);
    if (const Breach breach =
            balance_breach(t, kind, debit_state ? &*debit_state : nullptr, credit_state ? &*credit_state : nullptr);
        breach != Breach::none) {
        return breach_error(breach, t, &kind);
    }
    debit->second.balance_minor -= t.amount_minor;
    debit->second.moved_minor -= t.amount_minor;
    credit->second.balance_minor += t.amount_minor;
    credit->second.moved_minor += t.amount_minor;
    return Unit{};
}

}  // namespace

Result<Unit> post_all(soci::session& sql, const std::vector<Transfer>& transfers, const std::string& lock_suffix) {
    if (transfers.empty()) return Unit{};
    if (storage::held_balances_of(sql) != nullptr) {
        // It reads the balances it moves, which a batch's sums have not reached yet: a set-based
        // pass runs with Database::write_alone.
        throw std::logic_error("ledger::post_all inside a group-commit batch");
    }
    std::vector<const vocabulary::TransferKind*> kinds;
    for (const Transfer& t : transfers) {
        auto checked = checked_kind(t);
        if (!checked) return checked.error();
        kinds.push_back(checked.value());
    }
    std::map<std::string, HeldAccount> held = lock_accounts(sql, transfers, lock_suffix);
    for (std::size_t i = 0; i < transfers.size(); ++i) {
        if (auto moved = move(held, transfers[i], *kinds[i]); !moved) return moved.error();
    }
    std::vector<std::pair<std::string, MinorUnits>> changed;
    for (const auto& [id, account] : held) {
        if (account.moved_minor != 0) changed.emplace_back(id, account.moved_minor);
    }
    std::optional<Error> lost;
    bulk_sql::for_each_chunk(changed.size(), [&](std::size_t begin, std::size_t end) {
        bulk_sql::Rows rows({"id", "moved_minor"});
        for (std::size_t i = begin; i < end; ++i) rows.row().text(changed[i].first).number(to_db(changed[i].second));
        const long long updated = bulk_sql::update_from_rows(
            sql, "accounts", rows, {{"balance_minor", "t.balance_minor + v.moved_minor"}}, "t.id = v.id", "id");
        // The rows are locked (or SQLite's writer holds the database): each is there.
        if (static_cast<std::size_t>(updated) != end - begin && !lost) {
            lost = Error{engine_error::ledger_violation, "an account of the batch went away while it was locked"};
        }
    });
    if (lost) return *lost;
    static const std::vector<std::string> columns = storage::row_schema::name_list<storage::TransferRow>();
    if (bulk_sql::row_by_row(sql)) {
        for (const Transfer& t : transfers) insert_row(sql, new_id("trf"), t);
        return Unit{};
    }
    bulk_sql::for_each_chunk(transfers.size(), [&](std::size_t begin, std::size_t end) {
        bulk_sql::Rows rows(columns);
        storage::TransferRow row;
        for (std::size_t i = begin; i < end; ++i) {
            row.assign(new_id("trf"), transfers[i]);
            auto values = rows.row();
            storage::row_schema::add_values(values, row, storage::row_schema::every_column);
        }
        bulk_sql::insert_rows(sql, "transfers", rows);
    });
    return Unit{};
}

}  // namespace billing::ledger
