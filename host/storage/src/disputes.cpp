#include "billing/storage/disputes.hpp"

#include "billing/core/ids.hpp"
#include "billing/storage/engine_errors.hpp"
#include "sql_util.hpp"

namespace billing {

namespace {

using sql_util::from_db;
using sql_util::to_db;

const std::string dispute_columns =
    "id, tenant_id, order_id, account_id, state, description, evidence_url, opened_at_ms, resolved_at_ms, "
    "resolution_note, refunded_minor";

// One row of dispute_columns as SOCI binds it. A statement with intos added by exchange() is
// built step by step (alloc, prepare, define_and_bind) as in server/queries.cpp: one made with
// `sql.prepare << ...` is bound at construction, and intos exchanged later have no backend.
struct DisputeRow {
    DisputeRecord d;
    long long opened = 0, resolved = 0, refunded = 0;
    soci::indicator evidence_ind = soci::i_null, resolved_ind = soci::i_null, note_ind = soci::i_null;

    void bind(soci::statement& st) {
        st.exchange(soci::into(d.id));
        st.exchange(soci::into(d.tenant_id));
        st.exchange(soci::into(d.order_id));
        st.exchange(soci::into(d.account_id));
        st.exchange(soci::into(d.state));
        st.exchange(soci::into(d.description));
        st.exchange(soci::into(d.evidence_url, evidence_ind));
        st.exchange(soci::into(opened));
        st.exchange(soci::into(resolved, resolved_ind));
        st.exchange(soci::into(d.resolution_note, note_ind));
        st.exchange(soci::into(refunded));
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
    const long long opened = to_db(d.opened_at_ms);
    const long long refunded = to_db(d.refunded_minor);
    soci::indicator evidence_ind = d.evidence_url.empty() ? soci::i_null : soci::i_ok;
    sql << "INSERT INTO disputes (id, tenant_id, order_id, account_id, state, description, evidence_url, "
           "opened_at_ms, resolved_at_ms, resolution_note, refunded_minor, open_order_id) "
           "VALUES (:id, :t, :o, :a, :s, :d, :e, :at, NULL, NULL, :r, :open)",
        soci::use(d.id), soci::use(d.tenant_id), soci::use(d.order_id), soci::use(d.account_id), soci::use(d.state),
        soci::use(d.description), soci::use(d.evidence_url, evidence_ind), soci::use(opened), soci::use(refunded),
        soci::use(d.order_id);
}

void resolve(soci::session& sql, const DisputeRecord& d) {
    const long long resolved = to_db(d.resolved_at_ms.value_or(0));
    const long long refunded = to_db(d.refunded_minor);
    soci::indicator note_ind = d.resolution_note.empty() ? soci::i_null : soci::i_ok;
    sql << "UPDATE disputes SET state = :s, resolved_at_ms = :at, resolution_note = :n, refunded_minor = :r, "
           "open_order_id = NULL WHERE id = :id AND tenant_id = :t AND state = 'open'",
        soci::use(d.state), soci::use(resolved), soci::use(d.resolution_note, note_ind), soci::use(refunded),
        soci::use(d.id), soci::use(d.tenant_id);
}

Result<DisputeRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& dispute_id) {
    DisputeRow row;
    soci::statement st(sql);
    row.bind(st);
    st.exchange(soci::use(dispute_id, "id"));
    st.exchange(soci::use(tenant_id, "t"));
    st.alloc();
    st.prepare("SELECT " + dispute_columns + " FROM disputes WHERE id = :id AND tenant_id = :t");
    st.define_and_bind();
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
    soci::statement st(sql);
    row.bind(st);
    st.exchange(soci::use(tenant_id, "t"));
    st.exchange(soci::use(any_state, "any"));
    st.exchange(soci::use(state, "s"));
    st.exchange(soci::use(from_start, "start"));
    st.exchange(soci::use(after_at, "at"));
    st.exchange(soci::use(after_at, "at2"));
    st.exchange(soci::use(after_id, "id"));
    st.exchange(soci::use(n, "n"));
    st.alloc();
    st.prepare("SELECT " + dispute_columns +
               " FROM disputes WHERE tenant_id = :t AND (:any = 1 OR state = :s) AND (:start = 1 OR "
               "opened_at_ms < :at OR (opened_at_ms = :at2 AND id < :id)) "
               "ORDER BY opened_at_ms DESC, id DESC LIMIT :n");
    st.define_and_bind();
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
