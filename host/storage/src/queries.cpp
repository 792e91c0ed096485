#include "billing/storage/queries.hpp"

#include "account_row.hpp"
#include "billing/storage/accounts.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/orders.hpp"
#include "event_row.hpp"
#include "order_row.hpp"
#include "row_schema.hpp"
#include "transfer_row.hpp"

namespace billing::queries {

namespace {

struct Cursor {
    long long created = 0;
    std::string id;
};

// The (created_at_ms, id) of the cursor row in table, if it is the tenant's.
Result<std::optional<Cursor>> cursor_of(soci::session& sql, const char* table, const std::string& tenant_id,
                                        const std::string& starting_after) {
    if (starting_after.empty()) return std::optional<Cursor>{};
    Cursor cursor;
    sql << "SELECT created_at_ms, id FROM " << table << " WHERE id = :id AND tenant_id = :t",
        soci::into(cursor.created), soci::into(cursor.id), soci::use(starting_after), soci::use(tenant_id);
    if (!sql.got_data()) return Error{cursor_not_found, "starting_after names no record of this list"};
    return std::optional<Cursor>{cursor};
}

// " AND (created_at_ms < :c OR (created_at_ms = :c AND id < :id))" when there is a cursor.
std::string before_cursor(const std::optional<Cursor>& cursor, const char* prefix = "") {
    if (!cursor) return "";
    const std::string p(prefix);
    return " AND (" + p + "created_at_ms < " + std::to_string(cursor->created) + " OR (" + p +
           "created_at_ms = " + std::to_string(cursor->created) + " AND " + p + "id < :cursor_id))";
}

template <class T>
Page<T> trimmed(std::vector<T> rows, std::size_t limit) {
    Page<T> page;
    page.has_more = rows.size() > limit;
    if (page.has_more) rows.resize(limit);
    page.data = std::move(rows);
    return page;
}

namespace row_schema = storage::row_schema;

// The rows of R a query selects, in its order, as records. binds adds the filter values; the
// cursor id is bound last.
template <class R, class Bind>
auto select_rows(soci::session& sql, const std::string& text, const std::optional<Cursor>& cursor, Bind&& binds)
    -> Result<std::vector<std::decay_t<decltype(R{}.record().value())>>> {
    std::vector<std::decay_t<decltype(R{}.record().value())>> records;
    R row;
    soci::statement st = row_schema::prepared(sql, text, [&](soci::statement& s) {
        row_schema::into_all(s, row);
        binds(s);
        if (cursor) s.exchange(soci::use(cursor->id, "cursor_id"));
    });
    st.execute();
    while (st.fetch()) {
        auto record = row.record();
        if (!record) return record.error();
        records.push_back(std::move(record).value());
    }
    return records;
}

}  // namespace

Result<Page<OrderRecord>> orders(soci::session& sql, const std::string& tenant_id, const OrderFilter& filter,
                                 const std::string& starting_after, std::size_t limit) {
    auto cursor = cursor_of(sql, "orders", tenant_id, starting_after);
    if (!cursor) return cursor.error();
    std::string text = row_schema::select_text<storage::OrderRow>("orders") + " WHERE tenant_id = :t";
    if (filter.account_id) text += " AND account_id = :a";
    if (filter.state) text += " AND state = :s";
    text += before_cursor(cursor.value());
    text += " ORDER BY created_at_ms DESC, id DESC LIMIT " + std::to_string(limit + 1);
    auto rows = select_rows<storage::OrderRow>(sql, text, cursor.value(), [&](soci::statement& st) {
        st.exchange(soci::use(tenant_id, "t"));
        if (filter.account_id) st.exchange(soci::use(*filter.account_id, "a"));
        if (filter.state) st.exchange(soci::use(*filter.state, "s"));
    });
    if (!rows) return rows.error();
    return trimmed(std::move(rows).value(), limit);
}

Result<Page<AccountRecord>> accounts(soci::session& sql, const std::string& tenant_id,
                                     const std::optional<std::string>& external_ref, const std::string& starting_after,
                                     std::size_t limit) {
    auto cursor = cursor_of(sql, "accounts", tenant_id, starting_after);
    if (!cursor) return cursor.error();
    std::string text =
        row_schema::select_text<storage::AccountRow>("accounts") + " WHERE tenant_id = :t AND kind = 'customer'";
    if (external_ref) text += " AND external_ref = :r";
    text += before_cursor(cursor.value());
    text += " ORDER BY created_at_ms DESC, id DESC LIMIT " + std::to_string(limit + 1);
    auto rows = select_rows<storage::AccountRow>(sql, text, cursor.value(), [&](soci::statement& st) {
        st.exchange(soci::use(tenant_id, "t"));
        if (external_ref) st.exchange(soci::use(*external_ref, "r"));
    });
    if (!rows) return rows.error();
    return trimmed(std::move(rows).value(), limit);
}

Result<Page<TransferView>> transfers(soci::session& sql, const std::string& tenant_id, const std::string& account_id,
                                     const std::string& starting_after, std::size_t limit) {
    auto account = billing::accounts::get_customer(sql, tenant_id, account_id);
    if (!account) return account.error();
    auto cursor = cursor_of(sql, "transfers", tenant_id, starting_after);
    if (!cursor) return cursor.error();
    // Both directions, each through its own index (transfers_debit, transfers_credit); with the
    // kinds of both accounts, of which the one that is not this account's is the counterparty's.
    const std::string text = "SELECT " + row_schema::names<storage::TransferRow>("x.") +
                             ", c.kind, d.kind FROM transfers x JOIN accounts d ON d.id = x.debit_account_id "
                             "JOIN accounts c ON c.id = x.credit_account_id "
                             "WHERE x.tenant_id = :t AND (x.debit_account_id = :a OR x.credit_account_id = :a2)" +
                             before_cursor(cursor.value(), "x.") + " ORDER BY x.created_at_ms DESC, x.id DESC LIMIT " +
                             std::to_string(limit + 1);
    storage::TransferRow row;
    std::string credit_kind, debit_kind;
    soci::statement st = row_schema::prepared(sql, text, [&](soci::statement& s) {
        row_schema::into_all(s, row);
        s.exchange(soci::into(credit_kind));
        s.exchange(soci::into(debit_kind));
        s.exchange(soci::use(tenant_id, "t"));
        s.exchange(soci::use(account_id, "a"));
        s.exchange(soci::use(account_id, "a2"));
        if (cursor.value()) s.exchange(soci::use(cursor.value()->id, "cursor_id"));
    });
    st.execute();
    std::vector<TransferView> rows;
    while (st.fetch()) {
        const ledger::Transfer transfer = row.record();
        const bool credit = transfer.credit_account_id == account_id;
        rows.push_back(TransferView{.id = row.id,
                                    .kind = transfer.kind,
                                    .amount_minor = transfer.amount_minor,
                                    .credit = credit,
                                    .counterparty_kind = credit ? debit_kind : credit_kind,
                                    .order_id = transfer.order_id,
                                    .created_at_ms = transfer.created_at_ms});
    }
    return trimmed(std::move(rows), limit);
}

Result<Page<events::EventRow>> order_events(soci::session& sql, const std::string& tenant_id,
                                            const std::string& order_id, const std::string& starting_after,
                                            std::size_t limit) {
    if (auto order = billing::orders::get(sql, tenant_id, order_id); !order) return order.error();
    long long after_seq = 0;
    if (!starting_after.empty()) {
        sql << "SELECT seq FROM events WHERE id = :id AND order_id = :o AND tenant_id = :t", soci::into(after_seq),
            soci::use(starting_after), soci::use(order_id), soci::use(tenant_id);
        if (!sql.got_data()) return Error{cursor_not_found, "starting_after names no event of this order"};
    }
    const long long n = static_cast<long long>(limit) + 1;
    const std::string text = row_schema::select_text<storage::EventColumns>("events") +
                             " WHERE order_id = :o AND tenant_id = :t AND seq > :after ORDER BY seq LIMIT :n";
    auto rows = select_rows<storage::EventColumns>(sql, text, std::nullopt, [&](soci::statement& st) {
        st.exchange(soci::use(order_id, "o"));
        st.exchange(soci::use(tenant_id, "t"));
        st.exchange(soci::use(after_seq, "after"));
        st.exchange(soci::use(n, "n"));
    });
    if (!rows) return rows.error();
    return trimmed(std::move(rows).value(), limit);
}

}  // namespace billing::queries
