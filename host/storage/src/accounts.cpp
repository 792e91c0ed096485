#include "billing/storage/accounts.hpp"

#include "account_row.hpp"
#include "billing/core/ids.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/statement_cache.hpp"
#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing::accounts {


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
    AccountRecord record{
        new_id("acc"), tenant_id, std::string(kind), is_customer ? external_ref : ledger::system_ref(kind), 0, now_ms};
    storage::AccountRow row;
    row.assign(record);
    soci::statement st =
        storage::row_schema::prepared(sql, storage::row_schema::insert_text<storage::AccountRow>("accounts"),
                                      [&](soci::statement& s) { storage::row_schema::use_all(s, row); });
    st.execute(true);
    return record;
}

namespace {

// Read on every purchase and deposit: prepared once per session (statement_cache.hpp).
struct SelectAccount : storage::CachedStatement {
    std::string account_id, tenant_id;
    storage::AccountRow row;

    SelectAccount(soci::session& sql, const std::string& text) {
        prepare(storage::row_schema::prepared(sql, text, [&](soci::statement& st) {
            storage::row_schema::into_all(st, row);
            st.exchange(soci::use(account_id));
            st.exchange(soci::use(tenant_id));
        }));
    }
    bool found() { return fetch_one(); }
};

const storage::SqlText select_sql =
    storage::row_schema::select_text<storage::AccountRow>("accounts") + " WHERE id = :id AND tenant_id = :t";

}  // namespace

Result<AccountRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& account_id) {
    storage::Prepared<SelectAccount> st(sql, select_sql);
    st->account_id = account_id;
    st->tenant_id = tenant_id;
    if (!st->found()) {
        return Error{engine_error::account_not_found, "no such account"};
    }
    return st->row.record();
}

Result<AccountRecord> get_customer(soci::session& sql, const std::string& tenant_id, const std::string& account_id) {
    auto account = get(sql, tenant_id, account_id);
    if (account && account.value().kind != account_kind::customer) {
        return Error{engine_error::account_not_found, "no such customer account"};
    }
    return account;
}

}  // namespace billing::accounts
