#include "billing/storage/timers.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>

#include "billing/storage/dialect.hpp"
#include "billing/storage/statement_cache.hpp"
#include "bulk_sql.hpp"
#include "held_balances.hpp"
#include "sql_util.hpp"
#include "timer_row.hpp"

namespace billing::timers {

std::string exact_key(const TimerRow& t) {
    return t.order_id + '\n' + t.name + '\n' + t.tenant_id + '\n' + std::to_string(t.due_at_ms);
}

namespace {

using sql_util::from_db;
using sql_util::to_db;

// A parked timer's lease never ends, so the due queries' "lease has ended" test skips it too.
constexpr long long parked_lease_until = std::numeric_limits<long long>::max();

// The error as the row keeps it: printable ASCII only (a plugin's message may hold anything,
// and PostgreSQL refuses invalid UTF-8), cut to the column's width.
std::string short_error(const Error& error) {
    std::string text = error.code + ": " + error.message;
    if (text.size() > last_error_chars_max) text.resize(last_error_chars_max);
    for (char& c : text) {
        if (c < 0x20 || c > 0x7e) c = '?';
    }
    return text;
}

std::int64_t backoff_ms(int attempts) { return retry_backoff_first_ms << (attempts - 1); }

}  // namespace

namespace {

using storage::TimerColumns;
using storage::TimerKeyColumns;
using storage::TimerLeaseColumns;
namespace row_schema = storage::row_schema;

// A timer matched whole (exact_key): every key column equal to the one bound.
const std::string key_matches = row_schema::equal_all<TimerKeyColumns>();

// A new timer: its key bound, the rest the constants of a fresh timer (never claimed, no failed
// attempts), written into the text, as binding them cost SOCI about 1,300 instructions a purchase.
struct InsertTimer : storage::CachedStatement {
    TimerKeyColumns key;

    InsertTimer(soci::session& sql, const std::string& text) {
        prepare(row_schema::prepared(sql, text, [&](soci::statement& st) { row_schema::use_all(st, key); }));
    }
    void run() { statement().execute(true); }
};

storage::SqlText fresh_insert_text() {
    TimerColumns fresh;
    fresh.assign_fresh(TimerRow{});
    return row_schema::insert_text_bound<TimerColumns, TimerKeyColumns>("timers", fresh);
}

const storage::SqlText insert_sql = fresh_insert_text();

struct RemoveLeased : storage::CachedStatement {
    TimerKeyColumns key;
    std::string owner;

    RemoveLeased(soci::session& sql, const std::string& text) {
        prepare(row_schema::prepared(sql, text, [&](soci::statement& st) {
            row_schema::use_all(st, key);
            st.exchange(soci::use(owner));
        }));
    }
    bool removed() { return run_counted() == 1; }
};

struct DropTimer : storage::CachedStatement {
    std::string order_id, name;

    DropTimer(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::use(order_id), soci::use(name)));
    }
    void run() { statement().execute(true); }
};

const storage::SqlText drop_sql = "DELETE FROM timers WHERE order_id = :o AND name = :n";

const storage::SqlText remove_leased_sql = "DELETE FROM timers WHERE " + key_matches + " AND lease_owner = :w";

// Run once per claimed timer, up to batch_max times per sweep: prepared once per session, as a
// fresh statement costs PostgreSQL two more round trips (prepare, deallocate) per row.
struct ClaimTimer : storage::CachedStatement {
    TimerKeyColumns key;
    std::string owner;
    const std::string parked = parked_owner;
    long long now = 0, until = 0;

    ClaimTimer(soci::session& sql, const std::string& text) {
        prepare(row_schema::prepared(sql, text, [&](soci::statement& st) {
            st.exchange(soci::use(owner));
            st.exchange(soci::use(until));
            row_schema::use_all(st, key);
            st.exchange(soci::use(now));
            st.exchange(soci::use(parked));
        }));
    }
    bool claimed() { return run_counted() == 1; }
};

const storage::SqlText claim_sql = "UPDATE timers SET lease_owner = :w, lease_until_ms = :until WHERE " + key_matches +
                                   " AND lease_until_ms <= :now AND (lease_owner IS NULL OR lease_owner <> :parked)";

// The key columns of the timers a query selects, in its order.
template <class Bind>
std::vector<TimerRow> select_keys(soci::session& sql, const std::string& where, Bind&& binds) {
    std::vector<TimerRow> rows;
    TimerKeyColumns key;
    soci::statement select =
        row_schema::prepared(sql, row_schema::select_text<TimerKeyColumns>("timers") + where, [&](soci::statement& st) {
            row_schema::into_all(st, key);
            binds(st);
        });
    select.execute();
    while (select.fetch()) rows.push_back(key.record());
    return rows;
}

}  // namespace

void insert(soci::session& sql, const TimerRow& t) {
    storage::Prepared<InsertTimer> st(sql, insert_sql);
    st->key.assign(t);
    st->run();
}

void upsert(soci::session& sql, const TimerRow& t) {
    TimerColumns row;
    row.assign_fresh(t);
    // UPDATE then INSERT instead of ON CONFLICT/ON DUPLICATE KEY, which differ per backend; the
    // order row is locked by the caller, so no one else inserts this (order_id, name) meanwhile.
    soci::statement moved = row_schema::prepared(sql,
                                                 "UPDATE timers SET " + row_schema::update_assignments<TimerColumns>() +
                                                     " WHERE order_id = :o AND name = :n",
                                                 [&](soci::statement& st) {
                                                     row_schema::use_updated(st, row);
                                                     st.exchange(soci::use(t.order_id));
                                                     st.exchange(soci::use(t.name));
                                                 });
    if (sql_util::run_counted(moved) == 1) {
        return;
    }
    insert(sql, t);
}

void drop(soci::session& sql, const std::string& order_id, const std::string& name) {
    storage::Prepared<DropTimer> st(sql, drop_sql);
    st->order_id = order_id;
    st->name = name;
    st->run();
}

bool remove_leased(soci::session& sql, const TimerRow& t, const std::string& owner) {
    storage::Prepared<RemoveLeased> st(sql, remove_leased_sql);
    st->key.assign(t);
    st->owner = owner;
    return st->removed();
}

namespace {
// A test-mode tenant's timers run only when its test clock is advanced (DESIGN §6).
constexpr const char* live_tenants_only = "tenant_id NOT IN (SELECT id FROM tenants WHERE test_mode = 1)";
}  // namespace

std::optional<UtcMs> earliest_live_due(soci::session& sql) {
    long long due = 0;
    soci::indicator ind = soci::i_null;
    const std::string parked(parked_owner);
    sql << "SELECT MIN(due_at_ms) FROM timers WHERE (lease_owner IS NULL OR lease_owner <> :parked) AND "
        << live_tenants_only,
        soci::into(due, ind), soci::use(parked);
    if (ind != soci::i_ok) return std::nullopt;
    return from_db(due);
}

std::vector<TimerRow> due_candidates(soci::session& sql, UtcMs now_ms, std::size_t batch_max) {
    if (batch_max == 0) {
        return {};
    }
    const long long now = to_db(now_ms);
    const long long limit = to_db(static_cast<std::int64_t>(batch_max));
    // Row by row, not into vectors: SOCI's SQLite backend fetches nothing into vectors of size 1,
    // which left a sweeper with batch_max 1 finding no timer at all.
    return select_keys(sql,
                       std::string(" WHERE due_at_ms <= :now AND lease_until_ms <= :now2 AND ") + live_tenants_only +
                           " ORDER BY due_at_ms, order_id, name LIMIT :limit",
                       [&](soci::statement& st) {
                           st.exchange(soci::use(now));
                           st.exchange(soci::use(now));
                           st.exchange(soci::use(limit));
                       });
}

std::optional<TimerRow> next_due_for_tenant(soci::session& sql, const std::string& tenant_id, UtcMs up_to_ms,
                                            UtcMs lease_now_ms) {
    const long long up_to = to_db(up_to_ms);
    const long long lease_now = to_db(lease_now_ms);
    std::vector<TimerRow> rows = select_keys(sql,
                                             " WHERE tenant_id = :t AND due_at_ms <= :up_to AND lease_until_ms <= "
                                             ":lease_now ORDER BY due_at_ms, order_id, name LIMIT 1",
                                             [&](soci::statement& st) {
                                                 st.exchange(soci::use(tenant_id));
                                                 st.exchange(soci::use(up_to));
                                                 st.exchange(soci::use(lease_now));
                                             });
    if (rows.empty()) {
        return std::nullopt;
    }
    return rows.front();
}

bool claim(soci::session& sql, const TimerRow& t, const std::string& owner, UtcMs now_ms, UtcMs lease_until_ms) {
    storage::Prepared<ClaimTimer> st(sql, claim_sql);
    st->key.assign(t);
    st->owner = owner;
    st->now = to_db(now_ms);
    st->until = to_db(lease_until_ms);
    return st->claimed();
}

std::vector<TimerRow> leased_by(soci::session& sql, const std::string& owner) {
    // On the lease index; an owner token is unique to one sweep, so these are its batch's rows.
    return select_keys(sql, " WHERE lease_owner = :w ORDER BY due_at_ms, order_id, name",
                       [&](soci::statement& st) { st.exchange(soci::use(owner)); });
}

std::vector<TimerRow> claim_all(soci::session& sql, const std::vector<TimerRow>& candidates, const std::string& owner,
                                UtcMs now_ms, UtcMs lease_until_ms) {
    static const std::vector<std::string> columns = [] {
        std::vector<std::string> names = row_schema::name_list<TimerKeyColumns>();
        names.insert(names.end(), {"lease_owner", "lease_until_ms"});
        return names;
    }();
    static const std::vector<bulk_sql::Assignment> sets = bulk_sql::copied({"lease_owner", "lease_until_ms"});
    // claim()'s conditions, row by row: the whole row as selected, its lease ended, not parked.
    // (parked_owner and now are our own constants, written as literals.)
    const std::string match = row_schema::equal_columns<TimerKeyColumns>("t", "v") +
                              " AND t.lease_until_ms <= " + std::to_string(to_db(now_ms)) +
                              " AND (t.lease_owner IS NULL OR t.lease_owner <> '" + std::string(parked_owner) + "')";
    long long claimed = 0;
    bulk_sql::for_each_chunk(candidates.size(), [&](std::size_t begin, std::size_t end) {
        bulk_sql::Rows rows(columns);
        TimerKeyColumns key;
        for (std::size_t i = begin; i < end; ++i) {
            key.assign(candidates[i]);
            auto values = rows.row();
            row_schema::add_values(values, key, row_schema::every_column);
            values.text(owner).number(to_db(lease_until_ms));
        }
        claimed += bulk_sql::update_from_rows(sql, "timers", rows, sets, match, "order_id");
    });
    // The usual case: every candidate (each matches at most its own row).
    if (static_cast<std::size_t>(claimed) == candidates.size()) return candidates;
    if (claimed == 0) return {};
    return leased_by(sql, owner);
}

std::vector<TimerRow> lease_due(soci::session& sql, UtcMs now_ms, std::size_t batch_max, const std::string& owner,
                                UtcMs lease_until_ms) {
    if (storage::held_balances_of(sql) != nullptr) {
        // The relaxed COMMIT below would cover the batch's other writes, which were acknowledged
        // as durable.
        throw std::logic_error("timers::lease_due inside a group-commit batch");
    }
    if (const std::string& relax = storage::Dialect::of(sql).commit_without_flush; !relax.empty()) sql << relax;
    const std::vector<TimerRow> candidates = due_candidates(sql, now_ms, batch_max);
    if (candidates.empty()) return {};
    return claim_all(sql, candidates, owner, now_ms, lease_until_ms);
}

std::size_t remove_leased_of_orders(soci::session& sql, const std::vector<std::string>& order_ids,
                                    const std::string& owner) {
    std::size_t removed = 0;
    bulk_sql::for_each_chunk(order_ids.size(), [&](std::size_t begin, std::size_t end) {
        bulk_sql::Statement st(sql);
        st << "DELETE FROM timers WHERE lease_owner = ";
        st.text(owner) << " AND ";
        st.in_list("order_id", order_ids, begin, end);
        removed += static_cast<std::size_t>(st.run());
    });
    return removed;
}

std::vector<TimerRow> lock_claimable(soci::session& sql, const std::vector<TimerRow>& candidates, UtcMs now_ms,
                                     const std::string& lock_suffix) {
    std::vector<std::string> order_ids;
    for (const TimerRow& t : candidates) order_ids.push_back(t.order_id);
    std::sort(order_ids.begin(), order_ids.end());
    order_ids.erase(std::unique(order_ids.begin(), order_ids.end()), order_ids.end());
    // By the primary key's prefix alone, and every other condition checked here: InnoDB locks
    // each row a locking read examines, so a condition on a column of another index could make
    // it lock (and wait for) timers of other orders. Every timer of these orders comes back
    // locked; those that are not claimable candidates are left alone.
    // Only the key and the lease are read: this runs for every timer of every sweep.
    static const std::string select_leases = row_schema::select_text<TimerLeaseColumns>("timers") + " WHERE ";
    std::set<std::string> claimable;
    bulk_sql::for_each_chunk(order_ids.size(), [&](std::size_t begin, std::size_t end) {
        bulk_sql::Statement st(sql);
        st << select_leases;
        st.in_list("order_id", order_ids, begin, end) << " ORDER BY order_id, name" << lock_suffix;
        TimerLeaseColumns row;
        st.select(row_schema::bulk_into(row), [&] {
            row.key.t.due_at_ms = from_db(row.key.due_at_ms);
            if (row.key.t.due_at_ms <= now_ms && from_db(row.lease_until_ms) <= now_ms && !row.parked()) {
                claimable.insert(exact_key(row.key.t));
            }
        });
    });
    std::vector<TimerRow> won;
    for (const TimerRow& t : candidates) {
        if (claimable.count(exact_key(t)) != 0) won.push_back(t);
    }
    return won;
}

std::size_t remove_all(soci::session& sql, const std::vector<TimerRow>& rows) {
    // One statement per name and chunk: a batch's timers mostly share one name.
    std::map<std::string, std::vector<std::string>> orders_by_name;
    for (const TimerRow& t : rows) orders_by_name[t.name].push_back(t.order_id);
    std::size_t removed = 0;
    // Named references rather than a structured binding: clang 14 cannot capture a binding in a lambda.
    for (const auto& entry : orders_by_name) {
        const std::string& name = entry.first;
        const std::vector<std::string>& order_ids = entry.second;
        bulk_sql::for_each_chunk(order_ids.size(), [&](std::size_t begin, std::size_t end) {
            bulk_sql::Statement st(sql);
            st << "DELETE FROM timers WHERE name = ";
            st.text(name) << " AND ";
            st.in_list("order_id", order_ids, begin, end);
            removed += static_cast<std::size_t>(st.run());
        });
    }
    return removed;
}

void drop_all(soci::session& sql, const std::vector<std::pair<std::string, std::string>>& timers) {
    // Rare (a decision that drops another of its order's timers): row by row.
    for (const auto& [order_id, name] : timers) drop(sql, order_id, name);
}

FailureRecord record_failure(soci::session& sql, const TimerRow& t, const std::string& owner, const Error& error) {
    TimerKeyColumns key;
    key.assign(t);
    int attempts = 0;
    long long lease_until = 0;
    soci::statement seen = row_schema::prepared(
        sql, "SELECT attempts, lease_until_ms FROM timers WHERE " + key_matches + " AND lease_owner = :w",
        [&](soci::statement& st) {
            st.exchange(soci::into(attempts));
            st.exchange(soci::into(lease_until));
            row_schema::use_all(st, key);
            st.exchange(soci::use(owner));
        });
    if (!seen.execute(true)) {
        return FailureRecord::lost;
    }
    const int next = attempts + 1;
    const bool park = next >= attempts_max;
    const std::string text = short_error(error);
    const std::string new_owner = park ? std::string(parked_owner) : owner;
    // Pushed out from the end of the lease the failed run held, so that the backoff is in the
    // time base of the claim (a test clock's sweeps lease in real time; due times are the tenant's).
    const long long new_until = park ? parked_lease_until : lease_until + to_db(backoff_ms(next));
    soci::statement counted = row_schema::prepared(
        sql,
        "UPDATE timers SET attempts = :next, last_error = :e, lease_owner = :nw, lease_until_ms = :until WHERE " +
            key_matches + " AND lease_owner = :w AND attempts = :seen",
        [&](soci::statement& st) {
            st.exchange(soci::use(next));
            st.exchange(soci::use(text));
            st.exchange(soci::use(new_owner));
            st.exchange(soci::use(new_until));
            row_schema::use_all(st, key);
            st.exchange(soci::use(owner));
            st.exchange(soci::use(attempts));
        });
    if (sql_util::run_counted(counted) != 1) {
        return FailureRecord::lost;
    }
    return park ? FailureRecord::parked : FailureRecord::retry_later;
}

std::vector<ParkedTimer> parked(soci::session& sql, const std::string& tenant_id, std::size_t limit) {
    std::vector<ParkedTimer> out;
    if (limit == 0) {
        return out;
    }
    TimerColumns row;
    const std::string owner = parked_owner;
    const long long max = to_db(static_cast<std::int64_t>(limit));
    soci::statement select = row_schema::prepared(
        sql,
        row_schema::select_text<TimerColumns>("timers") +
            " WHERE tenant_id = :t AND lease_owner = :w ORDER BY due_at_ms, order_id, name LIMIT :limit",
        [&](soci::statement& st) {
            row_schema::into_all(st, row);
            st.exchange(soci::use(tenant_id));
            st.exchange(soci::use(owner));
            st.exchange(soci::use(max));
        });
    select.execute();
    while (select.fetch()) {
        out.push_back(ParkedTimer{.timer = row.lease.key.record(),
                                  .attempts = row.attempts,
                                  .last_error = row.error_ind == soci::i_ok ? row.last_error : std::string()});
    }
    return out;
}

}  // namespace billing::timers
