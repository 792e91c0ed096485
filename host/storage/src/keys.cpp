#include "billing/storage/keys.hpp"

#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing::keys {

namespace {

using sql_util::from_db;
using sql_util::to_db;
namespace row_schema = storage::row_schema;

// The api_keys table's one list of columns.
struct KeyColumns {
    KeyRow key;
    long long created_at_ms = 0, revoked_at_ms = 0;
    soci::indicator revoked_ind = soci::i_null;

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        visit(Column{"id"}, key.id);
        visit(Column{"tenant_id"}, key.tenant_id);
        visit(Column{"role"}, key.role);
        visit(Column{"prefix"}, key.prefix);
        visit(Column{"digest"}, key.digest_hex);
        visit(Column{"label"}, key.label);
        visit(Column{"created_at_ms"}, created_at_ms);
        visit(Column{"revoked_at_ms"}, revoked_at_ms, revoked_ind);
    }
};

std::optional<KeyRow> find_by(soci::session& sql, const char* column, const std::string& value) {
    KeyColumns row;
    std::string bound = value;
    soci::statement st = row_schema::prepared(
        sql, row_schema::select_text<KeyColumns>("api_keys") + " WHERE " + column + " = :v", [&](soci::statement& s) {
            row_schema::into_all(s, row);
            s.exchange(soci::use(bound));
        });
    if (!st.execute(true)) return std::nullopt;
    row.key.created_at_ms = from_db(row.created_at_ms);
    if (row.revoked_ind == soci::i_ok) row.key.revoked_at_ms = from_db(row.revoked_at_ms);
    return row.key;
}

}  // namespace

void insert(soci::session& sql, const KeyRow& key) {
    KeyColumns row{.key = key, .created_at_ms = to_db(key.created_at_ms)};
    soci::statement st = row_schema::prepared(sql, row_schema::insert_text<KeyColumns>("api_keys"),
                                              [&](soci::statement& s) { row_schema::use_all(s, row); });
    st.execute(true);
}

std::optional<KeyRow> find_by_id(soci::session& sql, const std::string& id) { return find_by(sql, "id", id); }

std::optional<KeyRow> find_by_prefix(soci::session& sql, const std::string& prefix) {
    return find_by(sql, "prefix", prefix);
}

bool any_live_of_role(soci::session& sql, const std::string& role) {
    long long n = 0;
    sql << "SELECT COUNT(*) FROM api_keys WHERE role = :r AND revoked_at_ms IS NULL", soci::into(n), soci::use(role);
    return n > 0;
}

void revoke(soci::session& sql, const std::string& id, UtcMs now_ms) {
    const long long now = to_db(now_ms);
    sql << "UPDATE api_keys SET revoked_at_ms = :now WHERE id = :id AND revoked_at_ms IS NULL", soci::use(now),
        soci::use(id);
}

}  // namespace billing::keys
