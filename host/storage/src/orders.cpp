#include "billing/storage/orders.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "billing/storage/engine_errors.hpp"
#include "billing/storage/errors.hpp"
#include "billing/storage/statement_cache.hpp"
#include "bulk_sql.hpp"
#include "billing/storage/json_codec.hpp"
#include "sql_util.hpp"

namespace billing::orders {

namespace {

using sql_util::from_db;
using sql_util::to_db;

// The BIGINT columns of an order as SOCI binds them.
struct Amounts {
    long long price = 0, charged = 0, captured = 0, refunded_escrow = 0, refunded_revenue = 0;
    long long version = 0, created = 0, updated = 0, closed = 0;

    static Amounts of(const OrderRecord& o) {
        return {to_db(o.price_minor), to_db(o.charged_minor), to_db(o.captured_minor),
                to_db(o.refunded_from_escrow_minor), to_db(o.refunded_from_revenue_minor), to_db(o.version),
                to_db(o.created_at_ms), to_db(o.updated_at_ms), to_db(o.closed_at_ms.value_or(0))};
    }
    void into(OrderRecord& o) const {
        o.price_minor = from_db(price);
        o.charged_minor = from_db(charged);
        o.captured_minor = from_db(captured);
        o.refunded_from_escrow_minor = from_db(refunded_escrow);
        o.refunded_from_revenue_minor = from_db(refunded_revenue);
        o.version = from_db(version);
        o.created_at_ms = from_db(created);
        o.updated_at_ms = from_db(updated);
    }
};

Result<Unit> decode_json_columns(OrderRecord& order, const std::string& attributes, const std::string& terms) {
    auto decoded_attributes = json_codec::decode_attributes(attributes);
    auto decoded_terms = json_codec::decode_numbers(terms);
    if (!decoded_attributes || !decoded_terms) {
        return Error{storage::storage_error::failed, "order " + order.id + " has unreadable attributes or terms"};
    }
    order.attributes = std::move(*decoded_attributes);
    order.terms = std::move(*decoded_terms);
    return Unit{};
}

}  // namespace

namespace {

struct InsertOrder : storage::CachedStatement {
    OrderRecord o;
    Amounts a;
    std::string attributes, terms;
    int is_final = 0;
    soci::indicator closed_ind = soci::i_null;

    InsertOrder(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::use(o.id), soci::use(o.tenant_id), soci::use(o.account_id),
                 soci::use(o.product), soci::use(o.state), soci::use(attributes), soci::use(terms), soci::use(a.price),
                 soci::use(a.charged), soci::use(a.captured), soci::use(a.refunded_escrow),
                 soci::use(a.refunded_revenue), soci::use(o.outcome), soci::use(o.policy), soci::use(is_final),
                 soci::use(a.version), soci::use(a.created), soci::use(a.updated), soci::use(a.closed, closed_ind)));
    }
    void run() { statement().execute(true); }
};

const std::string insert_sql =
    "INSERT INTO orders (id, tenant_id, account_id, product, state, attributes, terms, price_minor, "
    "charged_minor, captured_minor, refunded_from_escrow_minor, refunded_from_revenue_minor, outcome, policy, "
    "is_final, version, created_at_ms, updated_at_ms, closed_at_ms) VALUES (:id, :t, :acc, :p, :s, :attr, "
    ":terms, :price, :ch, :cap, :rfe, :rfr, :out, :pol, :fin, :v, :cr, :up, :cl)";

}  // namespace

void insert(soci::session& sql, const OrderRecord& o) {
    storage::Prepared<InsertOrder> st(sql, insert_sql);
    st->o = o;
    st->a = Amounts::of(o);
    st->attributes = json_codec::encode(o.attributes);
    st->terms = json_codec::encode(o.terms);
    st->is_final = o.is_final ? 1 : 0;
    st->closed_ind = o.closed_at_ms ? soci::i_ok : soci::i_null;
    st->run();
}

namespace {

struct SelectOrder : storage::CachedStatement {
    std::string order_id, tenant_id;
    OrderRecord o;
    Amounts a;
    std::string attributes, terms;
    int is_final = 0;
    soci::indicator closed_ind = soci::i_null;

    SelectOrder(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::into(o.id), soci::into(o.tenant_id), soci::into(o.account_id),
                 soci::into(o.product), soci::into(o.state), soci::into(attributes), soci::into(terms),
                 soci::into(a.price), soci::into(a.charged), soci::into(a.captured), soci::into(a.refunded_escrow),
                 soci::into(a.refunded_revenue), soci::into(o.outcome), soci::into(o.policy), soci::into(is_final),
                 soci::into(a.version), soci::into(a.created), soci::into(a.updated), soci::into(a.closed, closed_ind),
                 soci::use(order_id), soci::use(tenant_id)));
    }
    bool found() { return fetch_one(); }
};

struct UpdateOrder : storage::CachedStatement {
    OrderRecord o;
    Amounts a;
    long long next_version = 0, expected = 0;
    std::string attributes, terms;
    int is_final = 0;
    soci::indicator closed_ind = soci::i_null;

    UpdateOrder(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::use(o.state), soci::use(attributes), soci::use(terms),
                 soci::use(a.charged), soci::use(a.captured), soci::use(a.refunded_escrow),
                 soci::use(a.refunded_revenue), soci::use(o.outcome), soci::use(o.policy), soci::use(is_final),
                 soci::use(next_version), soci::use(a.updated), soci::use(a.closed, closed_ind), soci::use(o.id),
                 soci::use(o.tenant_id), soci::use(expected)));
    }
    bool updated() { return run_counted() == 1; }
};

const std::string select_sql =
    "SELECT id, tenant_id, account_id, product, state, attributes, terms, price_minor, charged_minor, "
    "captured_minor, refunded_from_escrow_minor, refunded_from_revenue_minor, outcome, policy, is_final, "
    "version, created_at_ms, updated_at_ms, closed_at_ms FROM orders WHERE id = :id AND tenant_id = :t";

const std::string update_sql =
    "UPDATE orders SET state = :s, attributes = :attr, terms = :terms, charged_minor = :ch, "
    "captured_minor = :cap, refunded_from_escrow_minor = :rfe, refunded_from_revenue_minor = :rfr, "
    "outcome = :out, policy = :pol, is_final = :fin, version = :nv, updated_at_ms = :up, "
    "closed_at_ms = :cl WHERE id = :id AND tenant_id = :t AND version = :v";

// The order of a fetched row: its text columns as read, its numbers and JSON columns decoded.
Result<OrderRecord> record_of(const OrderRecord& row, const Amounts& a, int is_final, soci::indicator closed_ind,
                              const std::string& attributes, const std::string& terms) {
    OrderRecord o = row;
    a.into(o);
    o.is_final = is_final != 0;
    o.closed_at_ms.reset();
    if (closed_ind == soci::i_ok) {
        o.closed_at_ms = from_db(a.closed);
    }
    if (auto decoded = decode_json_columns(o, attributes, terms); !decoded) {
        return decoded.error();
    }
    return o;
}

}  // namespace

Result<OrderRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& order_id,
                        const std::string& lock_suffix) {
    storage::Prepared<SelectOrder> st(sql, lock_suffix.empty() ? select_sql : select_sql + lock_suffix);
    st->order_id = order_id;
    st->tenant_id = tenant_id;
    st->closed_ind = soci::i_null;
    if (!st->found()) {
        return Error{engine_error::order_not_found, "no such order"};
    }
    return record_of(st->o, st->a, st->is_final, st->closed_ind, st->attributes, st->terms);
}

Result<Unit> update(soci::session& sql, const OrderRecord& o, std::int64_t expected_version) {
    storage::Prepared<UpdateOrder> st(sql, update_sql);
    st->o.id = o.id;
    st->o.tenant_id = o.tenant_id;
    st->o.state = o.state;
    st->o.outcome = o.outcome;
    st->o.policy = o.policy;
    st->a = Amounts::of(o);
    st->next_version = to_db(expected_version + 1);
    st->expected = to_db(expected_version);
    st->attributes = json_codec::encode(o.attributes);
    st->terms = json_codec::encode(o.terms);
    st->is_final = o.is_final ? 1 : 0;
    st->closed_ind = o.closed_at_ms ? soci::i_ok : soci::i_null;
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
        // select_sql's columns; ORDER BY id: every batch locks its orders in the same order.
        st << select_sql.substr(0, select_sql.find(" WHERE ")) << " WHERE ";
        st.in_list("id", ids, begin, end) << " ORDER BY id" << lock_suffix;
        OrderRecord o;
        Amounts a;
        std::string attributes, terms;
        int is_final = 0;
        soci::indicator closed_ind = soci::i_null;
        st.select(bulk_sql::Into()
                      .text(o.id)
                      .text(o.tenant_id)
                      .text(o.account_id)
                      .text(o.product)
                      .text(o.state)
                      .text(attributes)
                      .text(terms)
                      .number(a.price)
                      .number(a.charged)
                      .number(a.captured)
                      .number(a.refunded_escrow)
                      .number(a.refunded_revenue)
                      .text(o.outcome)
                      .text(o.policy)
                      .number(is_final)
                      .number(a.version)
                      .number(a.created)
                      .number(a.updated)
                      .number(a.closed, closed_ind),
                  [&] {
                auto record = record_of(o, a, is_final, closed_ind, attributes, terms);
                if (!record) {
                    if (!unreadable) unreadable = record.error();
                    return;
                }
                found.emplace(record.value().id, std::move(record).value());
                closed_ind = soci::i_null;
            });
    });
    if (unreadable) return *unreadable;
    return found;
}

Result<Unit> update_all(soci::session& sql, const std::vector<VersionedUpdate>& updates) {
    static const std::vector<std::string> columns = {
        "id", "tenant_id", "expected_version", "state", "attributes", "terms", "charged_minor", "captured_minor",
        "refunded_from_escrow_minor", "refunded_from_revenue_minor", "outcome", "policy", "is_final", "version",
        "updated_at_ms", "closed_at_ms"};
    // The JSON columns are set only by a chunk in which some decision changed them (NULL in the
    // other rows: keep), so that the usual timer (no attributes, no terms) rewrites neither.
    const auto sets_of = [](bool attributes, bool terms) {
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
    };
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
        for (std::size_t i = begin; i < end; ++i) {
            const OrderRecord& o = updates[i].order;
            rows.row()
                .text(o.id)
                .text(o.tenant_id)
                .number(to_db(updates[i].expected_version))
                .text(o.state)
                .text_or_null(updates[i].attributes_changed ? std::optional<std::string>(json_codec::encode(o.attributes))
                                                            : std::nullopt)
                .text_or_null(updates[i].terms_changed ? std::optional<std::string>(json_codec::encode(o.terms))
                                                       : std::nullopt)
                .number(to_db(o.charged_minor))
                .number(to_db(o.captured_minor))
                .number(to_db(o.refunded_from_escrow_minor))
                .number(to_db(o.refunded_from_revenue_minor))
                .text(o.outcome)
                .text(o.policy)
                .number(o.is_final ? 1 : 0)
                .number(to_db(updates[i].expected_version + 1))
                .number(to_db(o.updated_at_ms))
                .number_or_null(o.closed_at_ms ? std::optional<long long>(to_db(*o.closed_at_ms)) : std::nullopt);
        }
        // Each row only at its tenant and expected version, as update() checks them.
        bool attributes = false, terms = false;
        for (std::size_t i = begin; i < end; ++i) {
            attributes = attributes || updates[i].attributes_changed;
            terms = terms || updates[i].terms_changed;
        }
        const long long changed =
            bulk_sql::update_from_rows(sql, "orders", rows, sets_of(attributes, terms),
                                       "t.id = v.id AND t.tenant_id = v.tenant_id AND t.version = v.expected_version",
                                       "id");
        if (static_cast<std::size_t>(changed) != end - begin) {
            conflict = Error{storage::storage_error::conflict, "an order of the batch changed since it was read"};
        }
    });
    if (conflict) return *conflict;
    return Unit{};
}

}  // namespace billing::orders
