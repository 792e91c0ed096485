#include "billing/storage/orders.hpp"

#include <algorithm>
#include <optional>

#include "billing/storage/engine_errors.hpp"
#include "billing/storage/errors.hpp"
#include "billing/storage/json_codec.hpp"
#include "billing/storage/statement_cache.hpp"
#include "bulk_sql.hpp"
#include "order_row.hpp"
#include "sql_util.hpp"

namespace billing::storage {

void OrderRow::assign(const OrderRecord& o, bool with_attributes, bool with_terms) {
    using sql_util::to_db;
    id = o.id;
    tenant_id = o.tenant_id;
    account_id = o.account_id;
    product = o.product;
    state = o.state;
    attributes = with_attributes ? json_codec::encode(o.attributes) : std::string();
    terms = with_terms ? json_codec::encode(o.terms) : std::string();
    attributes_ind = with_attributes ? soci::i_ok : soci::i_null;
    terms_ind = with_terms ? soci::i_ok : soci::i_null;
    price_minor = to_db(o.price_minor);
    charged_minor = to_db(o.charged_minor);
    captured_minor = to_db(o.captured_minor);
    refunded_from_escrow_minor = to_db(o.refunded_from_escrow_minor);
    refunded_from_revenue_minor = to_db(o.refunded_from_revenue_minor);
    outcome = o.outcome;
    policy = o.policy;
    is_final = o.is_final ? 1 : 0;
    version = to_db(o.version);
    created_at_ms = to_db(o.created_at_ms);
    updated_at_ms = to_db(o.updated_at_ms);
    closed_at_ms = to_db(o.closed_at_ms.value_or(0));
    closed_ind = o.closed_at_ms ? soci::i_ok : soci::i_null;
}

Result<OrderRecord> OrderRow::record() const {
    using sql_util::from_db;
    OrderRecord o;
    o.id = id;
    o.tenant_id = tenant_id;
    o.account_id = account_id;
    o.product = product;
    o.state = state;
    auto decoded_attributes = json_codec::decode_attributes(attributes);
    auto decoded_terms = json_codec::decode_numbers(terms);
    if (!decoded_attributes || !decoded_terms) {
        return Error{storage_error::failed, "order " + id + " has unreadable attributes or terms"};
    }
    o.attributes = std::move(*decoded_attributes);
    o.terms = std::move(*decoded_terms);
    o.price_minor = from_db(price_minor);
    o.charged_minor = from_db(charged_minor);
    o.captured_minor = from_db(captured_minor);
    o.refunded_from_escrow_minor = from_db(refunded_from_escrow_minor);
    o.refunded_from_revenue_minor = from_db(refunded_from_revenue_minor);
    o.outcome = outcome;
    o.policy = policy;
    o.is_final = is_final != 0;
    o.version = from_db(version);
    o.created_at_ms = from_db(created_at_ms);
    o.updated_at_ms = from_db(updated_at_ms);
    if (closed_ind == soci::i_ok) o.closed_at_ms = from_db(closed_at_ms);
    return o;
}

}  // namespace billing::storage

namespace billing::orders {

namespace {

using sql_util::to_db;
using storage::OrderRow;
namespace row_schema = storage::row_schema;

struct InsertOrder : storage::CachedStatement {
    OrderRow row;

    InsertOrder(soci::session& sql, const std::string& text) {
        prepare(row_schema::prepared(sql, text, [&](soci::statement& st) { row_schema::use_all(st, row); }));
    }
    void run() { statement().execute(true); }
};

struct SelectOrder : storage::CachedStatement {
    OrderRow row;
    std::string order_id, tenant_id;

    SelectOrder(soci::session& sql, const std::string& text) {
        prepare(row_schema::prepared(sql, text, [&](soci::statement& st) {
            row_schema::into_all(st, row);
            st.exchange(soci::use(order_id));
            st.exchange(soci::use(tenant_id));
        }));
    }
    bool found() { return fetch_one(); }
};

struct UpdateOrder : storage::CachedStatement {
    OrderRow row;
    long long expected = 0;

    UpdateOrder(soci::session& sql, const std::string& text) {
        prepare(row_schema::prepared(sql, text, [&](soci::statement& st) {
            row_schema::use_updated(st, row);
            st.exchange(soci::use(row.id));
            st.exchange(soci::use(row.tenant_id));
            st.exchange(soci::use(expected));
        }));
    }
    bool updated() { return run_counted() == 1; }
};

const storage::SqlText insert_sql = row_schema::insert_text<OrderRow>("orders");
const std::string select_all_sql = row_schema::select_text<OrderRow>("orders");
const storage::SqlText select_sql = select_all_sql + " WHERE id = :id AND tenant_id = :t";
const storage::SqlText update_sql = "UPDATE orders SET " + row_schema::update_assignments<OrderRow>() +
                                    " WHERE id = :id AND tenant_id = :t AND version = :expected_version";

}  // namespace

void insert(soci::session& sql, const OrderRecord& o) {
    storage::Prepared<InsertOrder> st(sql, insert_sql);
    st->row.assign(o);
    st->run();
}

Result<OrderRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& order_id,
                        const std::string& lock_suffix) {
    // A server's locking read is made (and hashed) per call; SQLite's, without a suffix, never is.
    std::optional<storage::SqlText> locking;
    if (!lock_suffix.empty()) locking.emplace(select_sql.str() + lock_suffix);
    storage::Prepared<SelectOrder> st(sql, locking ? *locking : select_sql);
    st->order_id = order_id;
    st->tenant_id = tenant_id;
    st->row.closed_ind = soci::i_null;
    if (!st->found()) {
        return Error{engine_error::order_not_found, "no such order"};
    }
    return st->row.record();
}

Result<Unit> update(soci::session& sql, const OrderRecord& o, std::int64_t expected_version) {
    storage::Prepared<UpdateOrder> st(sql, update_sql);
    st->row.assign(o);
    st->row.version = to_db(expected_version + 1);
    st->expected = to_db(expected_version);
    if (!st->updated()) {
        return Error{storage::storage_error::conflict, "order " + o.id + " changed since it was read"};
    }
    return Unit{};
}

Result<std::map<std::string, OrderRecord>> get_all(soci::session& sql, const std::vector<std::string>& order_ids,
                                                   const std::string& lock_suffix) {
    std::vector<std::string> ids = order_ids;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::map<std::string, OrderRecord> found;
    std::optional<Error> unreadable;
    bulk_sql::for_each_chunk(ids.size(), [&](std::size_t begin, std::size_t end) {
        bulk_sql::Statement st(sql);
        // ORDER BY id: every batch locks its orders in the same order.
        st << select_all_sql << " WHERE ";
        st.in_list("id", ids, begin, end) << " ORDER BY id" << lock_suffix;
        OrderRow row;
        st.select(row_schema::bulk_into(row), [&] {
            auto record = row.record();
            if (!record) {
                if (!unreadable) unreadable = record.error();
                return;
            }
            // The key copied first: in one call, the copy and the move would be unsequenced.
            std::string id = record.value().id;
            found.emplace(std::move(id), std::move(record).value());
            row.closed_ind = soci::i_null;
        });
    });
    if (unreadable) return *unreadable;
    return found;
}

namespace {

bool updated_column(const row_schema::Column& column) { return column.written == row_schema::Written::always; }

// The derived table's columns of update_all: the key, the version each row must still have,
// then every column an UPDATE writes.
std::vector<std::string> update_all_columns() {
    std::vector<std::string> columns = {"id", "tenant_id", "expected_version"};
    OrderRow row;
    row.columns([&](const row_schema::Column& column, auto&...) {
        if (updated_column(column)) columns.emplace_back(column.name);
    });
    return columns;
}

// The JSON columns are set only by a chunk in which some decision changed them (NULL in the
// other rows: keep), so that the usual timer (no attributes, no terms) rewrites neither.
std::vector<bulk_sql::Assignment> update_all_sets(const std::vector<std::string>& columns, bool attributes,
                                                  bool terms) {
    std::vector<bulk_sql::Assignment> sets;
    for (std::size_t i = 3; i < columns.size(); ++i) {
        const std::string& column = columns[i];
        if (column == "attributes" || column == "terms") {
            if (column == "attributes" ? attributes : terms) {
                sets.push_back({column, "COALESCE(v." + column + ", t." + column + ")"});
            }
            continue;
        }
        sets.push_back({column, "v." + column});
    }
    return sets;
}

}  // namespace

Result<Unit> update_all(soci::session& sql, const std::vector<VersionedUpdate>& updates) {
    static const std::vector<std::string> columns = update_all_columns();
    if (bulk_sql::row_by_row(sql)) {
        for (const VersionedUpdate& u : updates) {
            if (auto updated = update(sql, u.order, u.expected_version); !updated) return updated.error();
        }
        return Unit{};
    }
    std::optional<Error> conflict;
    bulk_sql::for_each_chunk(updates.size(), [&](std::size_t begin, std::size_t end) {
        if (conflict) return;
        bulk_sql::Rows rows(columns);
        bool attributes = false, terms = false;
        OrderRow row;
        for (std::size_t i = begin; i < end; ++i) {
            const VersionedUpdate& u = updates[i];
            row.assign(u.order, u.attributes_changed, u.terms_changed);
            row.version = to_db(u.expected_version + 1);
            attributes = attributes || u.attributes_changed;
            terms = terms || u.terms_changed;
            auto values = rows.row();
            values.text(row.id).text(row.tenant_id).number(to_db(u.expected_version));
            row_schema::add_values(values, row, updated_column);
        }
        // Each row only at its tenant and expected version, as update() checks them.
        const long long changed = bulk_sql::update_from_rows(
            sql, "orders", rows, update_all_sets(columns, attributes, terms),
            "t.id = v.id AND t.tenant_id = v.tenant_id AND t.version = v.expected_version", "id");
        if (static_cast<std::size_t>(changed) != end - begin) {
            conflict = Error{storage::storage_error::conflict, "an order of the batch changed since it was read"};
        }
    });
    if (conflict) return *conflict;
    return Unit{};
}

}  // namespace billing::orders
