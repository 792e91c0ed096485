#include "billing/storage/accounts.hpp"

#include "billing/core/ids.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/statement_cache.hpp"
#include "sql_util.hpp"

namespace billing::accounts {

using sql_util::from_db;
using sql_util::to_db;

Result<AccountRecord> insert(soci::session& sql, const std::string& tenant_id, std::string_view kind,
                             const std::string& external_ref, UtcMs now_ms) {
    const bool is_customer = kind == account_kind::customer;
    if (is_customer && (external_ref.empty() || external_ref.size() > 200)) {
        return Error{engine_error::invalid_request, "external_ref must be 1 to 200 characters"};
    }
    if (is_customer && external_ref.front() == ledger::reserved_ref_prefix) {
        return Error{engine_error::invalid_request, "an external_ref starting with '@' is reserved"};
    }
    // No look-up first: the unique index is the one guard, so a duplicate created concurrently
    // takes the same path (and the same tests) as any other duplicate.
    AccountRecord record{new_id("acc"), tenant_id, std::string(kind),
                         is_customer ? external_ref : ledger::system_ref(kind), 0, now_ms};
    const long long now = to_db(now_ms);
    sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
           "VALUES (:id, :t, :k, :r, 0, :at)",
        soci::use(record.id), soci::use(record.tenant_id), soci::use(record.kind), soci::use(record.external_ref),
        soci::use(now);
    return record;
}

namespace {

// Read on every purchase and deposit: prepared once per session (statement_cache.hpp).
struct SelectAccount : storage::CachedStatement {
    std::string account_id, tenant_id;
    AccountRecord record;
    soci::indicator ref_ind = soci::i_null;
    long long balance = 0;
    long long created = 0;

    SelectAccount(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::into(record.id), soci::into(record.tenant_id), soci::into(record.kind),
                 soci::into(record.external_ref, ref_ind), soci::into(balance), soci::into(created),
                 soci::use(account_id), soci::use(tenant_id)));
    }
    bool found() { return fetch_one(); }
};

const std::string select_sql =
    "SELECT id, tenant_id, kind, external_ref, balance_minor, created_at_ms FROM accounts "
    "WHERE id = :id AND tenant_id = :t";

}  // namespace

Result<AccountRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& account_id) {
    storage::Prepared<SelectAccount> st(sql, select_sql);
    st->account_id = account_id;
    st->tenant_id = tenant_id;
    st->ref_ind = soci::i_null;
    if (!st->found()) {
        return Error{engine_error::account_not_found, "no such account"};
    }
    AccountRecord record = st->record;
    if (st->ref_ind != soci::i_ok) {
        record.external_ref.clear();
    }
    record.balance_minor = from_db(st->balance);
    record.created_at_ms = from_db(st->created);
    return record;
}

Result<AccountRecord> get_customer(soci::session& sql, const std::string& tenant_id, const std::string& account_id) {
    auto account = get(sql, tenant_id, account_id);
    if (account && account.value().kind != account_kind::customer) {
        return Error{engine_error::account_not_found, "no such customer account"};
    }
    return account;
}

}  // namespace billing::accounts
