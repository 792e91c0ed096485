#include "held_balances.hpp"

#include <algorithm>

#include "billing/storage/ledger_rules.hpp"
#include "billing/storage/ledger_vocabulary.hpp"
#include "billing/storage/statement_cache.hpp"
#include "sql_util.hpp"

namespace billing::storage {

bool HeldBalances::add(const std::string& account_id, std::string_view tenant_id, std::string_view kind,
                       MinorUnits delta_minor) {
    auto found = accounts_.find(account_id);
    if (found != accounts_.end() && (found->second.tenant_id != tenant_id || found->second.kind != kind)) {
        return false;
    }
    if (found == accounts_.end()) {
        undo_.emplace_back(account_id, std::nullopt);
        found = accounts_.emplace(account_id, Account{.tenant_id = std::string(tenant_id), .kind = std::string(kind)})
                    .first;
    } else {
        undo_.emplace_back(account_id, found->second);
    }
    Account& account = found->second;
    MinorUnits sum = 0;
    if (__builtin_add_overflow(account.sum, delta_minor, &sum)) {
        account.overflowed = true;
        return true;
    }
    account.sum = sum;
    account.lowest = std::min(account.lowest, sum);
    account.highest = std::max(account.highest, sum);
    return true;
}

void HeldBalances::undo_write() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
        if (it->second) {
            accounts_[it->first] = *it->second;
        } else {
            accounts_.erase(it->first);
        }
    }
    undo_.clear();
}

namespace {

struct AddToBalance : CachedStatement {
    long long sum = 0, low = 0, high = 0;
    std::string account_id, tenant_id, kind;

    AddToBalance(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::use(sum), soci::use(account_id), soci::use(tenant_id), soci::use(kind),
                 soci::use(low), soci::use(high)));
    }
    bool moved() { return run_counted() == 1; }
};

// The stored balance must lie in [low, high]: then the balance before the batch plus every
// running sum stays within the account's bounds.
const SqlText add_to_balance_sql =
    "UPDATE accounts SET balance_minor = balance_minor + :sum "
    "WHERE id = :id AND tenant_id = :t AND kind = :k AND balance_minor >= :low AND balance_minor <= :high";

}  // namespace

void HeldBalances::flush(soci::session& sql) {
    undo_.clear();
    for (const auto& [id, account] : accounts_) {
        // The bounds a balance left by one posting must keep (ledger_rules.hpp): at least the
        // floor after a debit (funding: -balance_minor_max; any other account: 0), at most
        // balance_minor_max after a credit.
        const MinorUnits floor =
            account.kind == ledger::vocabulary::account_kind::funding ? -ledger::balance_minor_max : 0;
        MinorUnits low = 0;
        MinorUnits high = 0;
        if (account.overflowed || __builtin_sub_overflow(floor, account.lowest, &low) ||
            __builtin_sub_overflow(ledger::balance_minor_max, account.highest, &high)) {
            throw HeldBalancesRefused("the moves of the batch on account " + id + " do not fit in 64 bits");
        }
        Prepared<AddToBalance> update(sql, add_to_balance_sql);
        update->sum = sql_util::to_db(account.sum);
        update->account_id = id;
        update->tenant_id = account.tenant_id;
        update->kind = account.kind;
        update->low = sql_util::to_db(low);
        update->high = sql_util::to_db(high);
        if (!update->moved()) {
            throw HeldBalancesRefused("account " + id + " (" + account.kind +
                                      ") is missing, of another tenant or kind, or would leave its bounds");
        }
    }
    accounts_.clear();
}

}  // namespace billing::storage
