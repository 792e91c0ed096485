#include "refund_floors.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "billing/core/ids.hpp"

namespace billing::bench {

namespace {

// The refund transfer's kind and the closed order's flag, as the engine writes them.
const std::string refund_kind = "refund";
const int closed = 1;

}  // namespace

std::size_t refund_per_row(BenchDb& bench, const DueOrders& due, const EventShape& refund, std::size_t batch,
                           std::size_t rows_max) {
    storage::Database::Lease lease(bench.db());
    soci::session& sql = lease.sql();
    const long long now = due.all_due_ms;
    long long limit = 0;
    const long long written = t0_ms;
    const long long balance_limit = (1LL << 62) - 1'000'000;
    std::string order_id, timer_name, account_id, transfer_id, event_id;
    long long due_at = 0, amount = 0, version = 0, next_version = 0;

    soci::statement begin = (sql.prepare << bench.db().dialect().begin_write);
    soci::statement commit = (sql.prepare << "COMMIT");
    soci::statement drop_timer = (sql.prepare << "DELETE FROM timers WHERE order_id = :o AND name = :n",
                                  soci::use(order_id), soci::use(timer_name));
    soci::statement update_order =
        (sql.prepare << "UPDATE orders SET state = :s, refunded_from_escrow_minor = refunded_from_escrow_minor + :a, "
                        "outcome = :out, policy = :pol, is_final = :fin, version = :nv, updated_at_ms = :up, "
                        "closed_at_ms = :cl WHERE id = :id AND tenant_id = :t AND version = :v",
         soci::use(refund.order_state), soci::use(amount), soci::use(refund.order_outcome), soci::use(refund.policy),
         soci::use(closed), soci::use(next_version), soci::use(due_at), soci::use(due_at), soci::use(order_id),
         soci::use(bench.tenant_id), soci::use(version));
    soci::statement debit =
        (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor - :a "
                        "WHERE id = :id AND tenant_id = :t AND balance_minor >= :a2",
         soci::use(amount), soci::use(bench.escrow_id), soci::use(bench.tenant_id), soci::use(amount));
    soci::statement credit =
        (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor + :a "
                        "WHERE id = :id AND tenant_id = :t AND balance_minor <= :limit",
         soci::use(amount), soci::use(account_id), soci::use(bench.tenant_id), soci::use(balance_limit));
    soci::statement insert_transfer =
        (sql.prepare << "INSERT INTO transfers (id, tenant_id, debit_account_id, credit_account_id, amount_minor, "
                        "kind, order_id, event_id, created_at_ms) VALUES (:id, :t, :d, :c, :a, :k, :o, :e, :at)",
         soci::use(transfer_id), soci::use(bench.tenant_id), soci::use(bench.escrow_id), soci::use(account_id),
         soci::use(amount), soci::use(refund_kind), soci::use(order_id), soci::use(event_id), soci::use(written));
    soci::statement insert_event =
        (sql.prepare << "INSERT INTO events (id, tenant_id, order_id, seq, type, timer, actor, policy, now_ms, "
                        "allowed, code, decision, created_at_ms) VALUES (:id, :t, :o, :seq, :type, :timer, :actor, "
                        ":pol, :now, 1, :code, :d, :at)",
         soci::use(event_id), soci::use(bench.tenant_id), soci::use(order_id), soci::use(next_version),
         soci::use(refund.type), soci::use(refund.timer), soci::use(refund.actor), soci::use(refund.policy),
         soci::use(due_at), soci::use(refund.code), soci::use(refund.decision_json), soci::use(written));

    std::size_t done = 0;
    while (done < rows_max) {
        const std::size_t rows = std::min(batch, rows_max - done);
        limit = static_cast<long long>(rows);
        begin.execute(true);
        std::vector<std::string> orders(rows), names(rows), accounts(rows);
        std::vector<long long> dues(rows), amounts(rows), versions(rows);
        // One read per batch: the due timers with what the refund needs from their orders.
        sql << "SELECT t.order_id, t.name, t.due_at_ms, o.account_id, "
               "o.charged_minor - o.captured_minor - o.refunded_from_escrow_minor, o.version "
               "FROM timers t JOIN orders o ON o.id = t.order_id "
               "WHERE t.due_at_ms <= :now AND t.lease_until_ms <= :now2 ORDER BY t.due_at_ms LIMIT :lim",
            soci::into(orders), soci::into(names), soci::into(dues), soci::into(accounts), soci::into(amounts),
            soci::into(versions), soci::use(now), soci::use(now), soci::use(limit);
        for (std::size_t i = 0; i < orders.size(); ++i) {
            order_id = orders[i];
            timer_name = names[i];
            account_id = accounts[i];
            due_at = dues[i];
            amount = amounts[i];
            version = versions[i];
            next_version = version + 1;
            transfer_id = new_id("trf");
            event_id = new_id("evt");
            drop_timer.execute(true);
            update_order.execute(true);
            debit.execute(true);
            if (debit.get_affected_rows() != 1) fail("per-row floor: escrow does not cover the refund");
            credit.execute(true);
            insert_transfer.execute(true);
            insert_event.execute(true);
        }
        commit.execute(true);
        done += orders.size();
        if (orders.size() < rows) break;
    }
    return done;
}

namespace {

// An SQL expression with a fresh id on every row, like new_id(prefix): prefix_ + 32 hex digits.
std::string fresh_id_sql(Backend backend, const std::string& prefix) {
    switch (backend) {
        case Backend::postgresql: return "'" + prefix + "_' || replace(gen_random_uuid()::text, '-', '')";
        case Backend::mysql: return "CONCAT('" + prefix + "_', REPLACE(UUID(), '-', ''))";
        case Backend::sqlite3: break;
    }
    return "'" + prefix + "_' || lower(hex(randomblob(16)))";
}

// The set-based floor's statements that join the batch into a DELETE or an UPDATE: SQLite and
// PostgreSQL have UPDATE ... FROM and row-value IN, MySQL/MariaDB multi-table DELETE and UPDATE.
struct SetBasedSql {
    std::string drop_timers, update_orders, credit_customers;
};

// The SET list of the refund's order update; o is "" or the updated table's alias with its dot
// (MySQL's multi-table UPDATE names the columns it sets).
std::string order_changes(const std::string& o) {
    return o + "state = :s, " + o + "refunded_from_escrow_minor = " + o + "refunded_from_escrow_minor + b.amount, " +
           o + "outcome = :out, " + o + "policy = :pol, " + o + "is_final = :fin, " + o + "version = b.version + 1, " +
           o + "updated_at_ms = b.due_at_ms, " + o + "closed_at_ms = b.due_at_ms";
}

SetBasedSql set_based_sql(Backend backend) {
    const std::string totals = "(SELECT account_id, SUM(amount) AS total FROM bench_batch GROUP BY account_id) s";
    if (backend == Backend::mysql) {
        return {"DELETE t FROM timers t JOIN bench_batch b ON t.order_id = b.order_id AND t.name = b.name",
                "UPDATE orders o JOIN bench_batch b ON o.id = b.order_id AND o.version = b.version SET " +
                    order_changes("o."),
                "UPDATE accounts a JOIN " + totals +
                    " ON a.id = s.account_id SET a.balance_minor = a.balance_minor + s.total"};
    }
    const std::string drop = "DELETE FROM timers WHERE (order_id, name) IN (SELECT order_id, name FROM bench_batch)";
    std::string update = "UPDATE orders SET " + order_changes("") +
                         " FROM bench_batch b WHERE orders.id = b.order_id AND orders.version = b.version";
    std::string credit = "UPDATE accounts SET balance_minor = balance_minor + s.total FROM " + totals +
                         " WHERE accounts.id = s.account_id";
    if (backend == Backend::postgresql) {
        // The batch's keys as an index condition, as the engine's own batch UPDATEs have: without
        // it PostgreSQL hashes the whole table, a sequential scan per batch that grows with it
        // (why this floor used to slow down as the table grew).
        update += " AND orders.id = ANY(ARRAY(SELECT order_id FROM bench_batch))";
        credit += " AND accounts.id = ANY(ARRAY(SELECT account_id FROM bench_batch))";
    }
    return {drop, update, credit};
}

}  // namespace

std::size_t refund_set_based(BenchDb& bench, const DueOrders& due, const EventShape& refund, std::size_t batch,
                             std::size_t rows_max) {
    storage::Database::Lease lease(bench.db());
    soci::session& sql = lease.sql();
    const Backend backend = bench.db().dialect().backend;
    const SetBasedSql joined = set_based_sql(backend);
    const long long now = due.all_due_ms;
    long long limit = 0;
    const long long written = t0_ms;
    long long total = 0;
    sql << "CREATE TEMPORARY TABLE bench_batch (order_id VARCHAR(40) NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL, "
           "due_at_ms BIGINT NOT NULL, account_id VARCHAR(40) NOT NULL, amount BIGINT NOT NULL, version BIGINT NOT "
           "NULL, "
           "event_id VARCHAR(40) NOT NULL, transfer_id VARCHAR(40) NOT NULL)";

    std::size_t done = 0;
    soci::statement begin = (sql.prepare << bench.db().dialect().begin_write);
    soci::statement commit = (sql.prepare << "COMMIT");
    const std::string fresh_ids = fresh_id_sql(backend, "evt") + ", " + fresh_id_sql(backend, "trf");
    soci::statement fill =
        (sql.prepare << "INSERT INTO bench_batch SELECT t.order_id, t.name, t.due_at_ms, o.account_id, "
                        "o.charged_minor - o.captured_minor - o.refunded_from_escrow_minor, o.version, " +
                            fresh_ids +
                            " FROM timers t JOIN orders o ON o.id = t.order_id WHERE t.due_at_ms <= :now AND "
                            "t.lease_until_ms <= :now2 ORDER BY t.due_at_ms LIMIT :lim",
         soci::use(now), soci::use(now), soci::use(limit));
    soci::statement drop_timers = (sql.prepare << joined.drop_timers);
    soci::statement update_orders = (sql.prepare << joined.update_orders, soci::use(refund.order_state),
                                     soci::use(refund.order_outcome), soci::use(refund.policy), soci::use(closed));
    soci::statement debit_escrow = (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor - :a "
                                                   "WHERE id = :id AND balance_minor >= :a2",
                                    soci::use(total), soci::use(bench.escrow_id), soci::use(total));
    soci::statement credit_customers = (sql.prepare << joined.credit_customers);
    soci::statement insert_transfers =
        (sql.prepare << "INSERT INTO transfers (id, tenant_id, debit_account_id, credit_account_id, amount_minor, "
                        "kind, order_id, event_id, created_at_ms) SELECT transfer_id, :t, :d, account_id, amount, "
                        ":k, order_id, event_id, :at FROM bench_batch",
         soci::use(bench.tenant_id), soci::use(bench.escrow_id), soci::use(refund_kind), soci::use(written));
    soci::statement insert_events =
        (sql.prepare << "INSERT INTO events (id, tenant_id, order_id, seq, type, timer, actor, policy, now_ms, "
                        "allowed, code, decision, created_at_ms) SELECT event_id, :t, order_id, version + 1, :type, "
                        ":timer, :actor, :pol, due_at_ms, 1, :code, :d, :at FROM bench_batch",
         soci::use(bench.tenant_id), soci::use(refund.type), soci::use(refund.timer), soci::use(refund.actor),
         soci::use(refund.policy), soci::use(refund.code), soci::use(refund.decision_json), soci::use(written));
    soci::statement clear = (sql.prepare << "DELETE FROM bench_batch");

    while (done < rows_max) {
        const std::size_t wanted = std::min(batch, rows_max - done);
        limit = static_cast<long long>(wanted);
        begin.execute(true);
        fill.execute(true);
        const auto rows = static_cast<std::size_t>(fill.get_affected_rows());
        if (rows > 0) {
            drop_timers.execute(true);
            update_orders.execute(true);
            if (static_cast<std::size_t>(update_orders.get_affected_rows()) != rows) {
                fail("set-based floor: an order changed under the batch");
            }
            // A one-off statement: SQLite would not drop the table below under a prepared read.
            sql << "SELECT SUM(amount) FROM bench_batch", soci::into(total);
            debit_escrow.execute(true);
            if (debit_escrow.get_affected_rows() != 1) fail("set-based floor: escrow does not cover the refunds");
            credit_customers.execute(true);
            insert_transfers.execute(true);
            insert_events.execute(true);
            clear.execute(true);
        }
        commit.execute(true);
        done += rows;
        if (rows < wanted) break;
    }
    sql << "DROP TABLE bench_batch";
    return done;
}

}  // namespace billing::bench
