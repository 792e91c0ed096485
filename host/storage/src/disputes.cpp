#include "billing/storage/disputes.hpp"

#include "billing/core/ids.hpp"
#include "billing/storage/engine_errors.hpp"
#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing {

namespace {

using sql_util::from_db;
using sql_util::to_db;

namespace row_schema = storage::row_schema;

// The disputes table's one list of columns (row_schema.hpp). open_order_id holds the order's id
// while the dispute is open and NULL once it is resolved: the unique index on it lets an order
// have one open dispute at a time.
struct DisputeRow {
    DisputeRecord d;
    long long opened = 0, resolved = 0, refunded = 0;
    std::string open_order_id;
    soci::indicator evidence_ind = soci::i_null, resolved_ind = soci::i_null, note_ind = soci::i_null;
    soci::indicator open_ind = soci::i_null;

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        constexpr auto once = row_schema::Written::on_insert;
        visit(Column{"id", once}, d.id);
        visit(Column{"tenant_id", once}, d.tenant_id);
        visit(Column{"order_id", once}, d.order_id);
        visit(Column{"account_id", once}, d.account_id);
        visit(Column{"state"}, d.state);
        visit(Column{"description", once}, d.description);
        visit(Column{"evidence_url", once}, d.evidence_url, evidence_ind);
        visit(Column{"opened_at_ms", once}, opened);
        visit(Column{"resolved_at_ms"}, resolved, resolved_ind);
        visit(Column{"resolution_note"}, d.resolution_note, note_ind);
        visit(Column{"refunded_minor"}, refunded);
        visit(Column{"open_order_id"}, open_order_id, open_ind);
    }

    void assign(const DisputeRecord& record) {
        d = record;
        evidence_ind = record.evidence_url.empty() ? soci::i_null : soci::i_ok;
        opened = to_db(record.opened_at_ms);
        resolved = to_db(record.resolved_at_ms.value_or(0));
        resolved_ind = record.resolved_at_ms ? soci::i_ok : soci::i_null;
        note_ind = record.resolution_note.empty() ? soci::i_null : soci::i_ok;
        refunded = to_db(record.refunded_minor);
        const bool open = record.state == dispute_state::open;
        open_order_id = open ? record.order_id : std::string();
        open_ind = open ? soci::i_ok : soci::i_null;
    }
    [[nodiscard]] DisputeRecord record() const {
        DisputeRecord out = d;
        if (evidence_ind != soci::i_ok) out.evidence_url.clear();
        if (note_ind != soci::i_ok) out.resolution_note.clear();
        out.opened_at_ms = from_db(opened);
        out.resolved_at_ms = resolved_ind == soci::i_ok ? std::optional<UtcMs>(from_db(resolved)) : std::nullopt;
        out.refunded_minor = from_db(refunded);
        return out;
    }
};

}  // namespace

namespace disputes {

std::string open_dispute_of(soci::session& sql, const std::string& order_id) {
    std::string id;
    sql << "SELECT id FROM disputes WHERE open_order_id = :o", soci::into(id), soci::use(order_id);
    return sql.got_data() ? id : std::string();
}

void insert(soci::session& sql, const DisputeRecord& d) {
    DisputeRow row;
    row.assign(d);
    soci::statement st = row_schema::prepared(sql, row_schema::insert_text<DisputeRow>("disputes"),
                                              [&](soci::statement& s) { row_schema::use_all(s, row); });
    st.execute(true);
}

void resolve(soci::session& sql, const DisputeRecord& d) {
    DisputeRow row;
    row.assign(d);
    // Only while the dispute is still open: a second resolution changes nothing.
    soci::statement st = row_schema::prepared(sql,
                                              "UPDATE disputes SET " + row_schema::update_assignments<DisputeRow>() +
                                                  " WHERE id = :id AND tenant_id = :t AND state = 'open'",
                                              [&](soci::statement& s) {
                                                  row_schema::use_updated(s, row);
                                                  s.exchange(soci::use(d.id));
                                                  s.exchange(soci::use(d.tenant_id));
                                              });
    st.execute(true);
}

Result<DisputeRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& dispute_id) {
    DisputeRow row;
    soci::statement st = row_schema::prepared(
        sql, row_schema::select_text<DisputeRow>("disputes") + " WHERE id = :id AND tenant_id = :t",
        [&](soci::statement& s) {
            row_schema::into_all(s, row);
            s.exchange(soci::use(dispute_id, "id"));
            s.exchange(soci::use(tenant_id, "t"));
        });
    if (!st.execute(true)) return Error{engine_error::dispute_not_found, "no such dispute"};
    return row.record();
}

Result<std::vector<DisputeRecord>> list(soci::session& sql, const std::string& tenant_id, const std::string& state,
                                        const std::string& starting_after, std::size_t limit_plus_one) {
    // Newest first; the cursor is (opened_at_ms, id) of the dispute named by starting_after.
    long long after_at = 0;
    std::string after_id;
    if (!starting_after.empty()) {
        sql << "SELECT opened_at_ms, id FROM disputes WHERE id = :id AND tenant_id = :t", soci::into(after_at),
            soci::into(after_id), soci::use(starting_after), soci::use(tenant_id);
        if (!sql.got_data()) return Error{"cursor_not_found", "starting_after names no dispute of this tenant"};
    }
    const int any_state = state.empty() ? 1 : 0;
    const int from_start = starting_after.empty() ? 1 : 0;
    const long long n = static_cast<long long>(limit_plus_one);
    DisputeRow row;
    soci::statement st =
        row_schema::prepared(sql,
                             row_schema::select_text<DisputeRow>("disputes") +
                                 " WHERE tenant_id = :t AND (:any = 1 OR state = :s) AND (:start = 1 OR "
                                 "opened_at_ms < :at OR (opened_at_ms = :at2 AND id < :id)) "
                                 "ORDER BY opened_at_ms DESC, id DESC LIMIT :n",
                             [&](soci::statement& s) {
                                 row_schema::into_all(s, row);
                                 s.exchange(soci::use(tenant_id, "t"));
                                 s.exchange(soci::use(any_state, "any"));
                                 s.exchange(soci::use(state, "s"));
                                 s.exchange(soci::use(from_start, "start"));
                                 s.exchange(soci::use(after_at, "at"));
                                 s.exchange(soci::use(after_at, "at2"));
                                 s.exchange(soci::use(after_id, "id"));
                                 s.exchange(soci::use(n, "n"));
                             });
    st.execute();
    std::vector<DisputeRecord> out;
    while (st.fetch()) out.push_back(row.record());
    return out;
}

}  // namespace disputes

namespace refund_grants {

void insert(soci::session& sql, const std::string& tenant_id, const std::string& order_id,
            const std::string& account_id, const std::string& source, const std::string& reason,
            sdk::MinorUnits amount_minor, UtcMs at_ms) {
    const std::string id = new_id("rfg");
    const long long amount = to_db(amount_minor);
    const long long at = to_db(at_ms);
    sql << "INSERT INTO refund_grants (id, tenant_id, order_id, account_id, source, reason, amount_minor, "
           "created_at_ms) VALUES (:id, :t, :o, :a, :s, :r, :m, :at)",
        soci::use(id), soci::use(tenant_id), soci::use(order_id), soci::use(account_id), soci::use(source),
        soci::use(reason), soci::use(amount), soci::use(at);
}

RecentCounts recent(soci::session& sql, const std::string& tenant_id, const std::string& account_id, UtcMs since_ms,
                    UtcMs until_ms) {
    const long long since = to_db(since_ms);
    const long long until = to_db(until_ms);
    long long refunds = 0;
    long long opened = 0;
    sql << "SELECT COUNT(*) FROM refund_grants WHERE tenant_id = :t AND account_id = :a AND created_at_ms > :since "
           "AND created_at_ms <= :until",
        soci::into(refunds), soci::use(tenant_id), soci::use(account_id), soci::use(since), soci::use(until);
    sql << "SELECT COUNT(*) FROM disputes WHERE tenant_id = :t AND account_id = :a AND opened_at_ms > :since "
           "AND opened_at_ms <= :until",
        soci::into(opened), soci::use(tenant_id), soci::use(account_id), soci::use(since), soci::use(until);
    return RecentCounts{from_db(refunds), from_db(opened)};
}

}  // namespace refund_grants

}  // namespace billing
