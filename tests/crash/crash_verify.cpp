#include "crash_verify.hpp"

#include <gtest/gtest.h>

#include <set>

#include "billing/audit/audit.hpp"
#include "billing/storage/database.hpp"
#include "crash_protocol.hpp"

namespace billing::crash {

namespace {

// Refusals that a correct engine gives this workload: money ran short for a long rental.
const std::set<std::string> expected_refusals = {"insufficient_funds"};
constexpr std::size_t problems_shown_max = 25;
constexpr const char* window_ms = "1200000";  // config/otpdesk.toml: activation window, rental cancel window

std::string quoted(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
        out += c;
        if (c == '\'') out += '\'';
    }
    return out + "'";
}

class Checker {
public:
    explicit Checker(storage::Database& db) : db_(db) {}

    long long count(const std::string& query) {
        long long value = -1;
        auto done = db_.read([&](soci::session& sql) -> Result<Unit> {
            sql << query, soci::into(value);
            return Unit{};
        });
        EXPECT_TRUE(done) << done.error().message << " in " << query;
        return value;
    }

    // Records a problem when count(query) != expected; reported together at the end.
    void expect(long long expected, const std::string& query, const std::string& what) {
        const long long actual = count(query);
        if (actual != expected) {
            problems_.push_back(what + ": expected " + std::to_string(expected) + ", found " + std::to_string(actual) +
                                "  [" + query + "]");
        }
    }
    void problem(const std::string& what) { problems_.push_back(what); }

    // Records a problem, naming the first orders found, when "FROM orders o WHERE ..." finds any.
    void no_orders(const std::string& where, const std::string& what) {
        const std::string from = " FROM orders o WHERE " + where;
        const long long found = count("SELECT COUNT(*)" + from);
        if (found == 0) return;
        std::string ids;
        auto listed = db_.read([&](soci::session& sql) -> Result<Unit> {
            soci::rowset<std::string> rows = (sql.prepare << "SELECT o.id" + from + " ORDER BY o.id LIMIT 5");
            for (const std::string& id : rows) ids += " " + id;
            return Unit{};
        });
        problems_.push_back(what + ": " + std::to_string(found) + " order(s), e.g." + ids);
    }

    void report() const {
        std::string text;
        for (std::size_t i = 0; i < problems_.size() && i < problems_shown_max; ++i) text += problems_[i] + "\n";
        EXPECT_TRUE(problems_.empty()) << problems_.size() << " problem(s), the first ones:\n" << text;
    }

private:
    storage::Database& db_;
    std::vector<std::string> problems_;
};

// One acknowledged (or refused, or replayed) operation against what the database holds.
void check_op(Checker& c, const std::string& tenant, const std::string& key, const Op& op) {
    const std::string& kind = op.begin.at(0);
    const std::string keys = "SELECT COUNT(*) FROM idempotency_keys WHERE tenant_id = " + quoted(tenant) +
                             " AND idem_key = " + quoted(key);
    const std::string label = kind + " " + key + " (" + (op.answer.empty() ? "unanswered" : op.answer) + ")";
    if (op.answer == "NACK") {
        c.expect(0, keys, label + ": a refused operation left its key");
        if (op.result.empty() || expected_refusals.count(op.result[0]) == 0) {
            c.problem(label + ": unexpected refusal " + join_words(op.result));
        }
        return;
    }
    if (op.answer == "DUP") {
        c.expect(1, keys, label + ": a replayed key is not in the database");
        return;
    }
    if (op.answer != "ACK") {
        c.problem(label + ": never answered, not even by the final drain run");
        return;
    }
    c.expect(1, keys, label + ": acknowledged, but its idempotency record is missing");
    const std::vector<std::string>& r = op.result;
    if (kind == kind::deposit && r.size() == 3) {
        c.expect(1,
                 "SELECT COUNT(*) FROM transfers WHERE kind = 'deposit' AND credit_account_id = " + quoted(r[0]) +
                     " AND amount_minor = " + r[1],
                 label + ": its deposit transfer");
    } else if ((kind == kind::activation || kind == kind::rental) && r.size() == 2) {
        const std::string order = quoted(r[0]);
        c.expect(1,
                 "SELECT COUNT(*) FROM orders WHERE id = " + order + " AND product = " + quoted(kind) +
                     " AND account_id = " + quoted(op.begin.at(2)) + " AND charged_minor = " + r[1],
                 label + ": its order");
        c.expect(1,
                 "SELECT COUNT(*) FROM transfers WHERE kind = 'purchase' AND order_id = " + order +
                     " AND amount_minor = " + r[1],
                 label + ": its purchase charge");
        c.expect(1, "SELECT COUNT(*) FROM events WHERE order_id = " + order + " AND seq = 1 AND type = 'purchase'",
                 label + ": its purchase event");
    } else if ((kind == kind::cancel || kind == kind::message) && r.size() == 5) {
        if (r[1] == "1") {
            c.expect(1,
                     "SELECT COUNT(*) FROM events WHERE order_id = " + quoted(r[0]) + " AND seq = " + r[3] +
                         " AND type = " + quoted(kind),
                     label + ": its event at version " + r[3]);
        }
        if (kind == kind::cancel && r[1] == "1") {
            c.expect(1, "SELECT COUNT(*) FROM orders WHERE id = " + quoted(r[0]) + " AND state = 'cancelled'",
                     label + ": an allowed cancel left the order not cancelled");
        }
    } else {
        c.problem(label + ": malformed answer " + join_words(r));
    }
}

// Every operation exactly once: each kind's effects number exactly its idempotency keys, since
// the key is written in the transaction of the effect (acknowledged or not before the kill).
void check_exactly_once(Checker& c, const Journal& journal) {
    const auto keys_like = [](const char* op_kind) {
        return "(SELECT COUNT(*) FROM idempotency_keys WHERE idem_key LIKE '" + key_prefix(op_kind) + "%')";
    };
    c.expect(0, "SELECT (SELECT COUNT(*) FROM orders WHERE product = 'activation') - " + keys_like(kind::activation),
             "activation orders minus activation keys");
    c.expect(0, "SELECT (SELECT COUNT(*) FROM orders WHERE product = 'rental') - " + keys_like(kind::rental),
             "rental orders minus rental keys");
    c.expect(0, "SELECT (SELECT COUNT(*) FROM transfers WHERE kind = 'deposit') - " + keys_like(kind::deposit),
             "deposit transfers minus deposit keys");
    c.expect(0,
             "SELECT (SELECT COUNT(*) FROM transfers WHERE kind = 'purchase') - (SELECT COUNT(*) FROM orders)",
             "purchase charges minus orders");
    c.expect(0, "SELECT COUNT(*) FROM (SELECT order_id FROM transfers WHERE kind = 'purchase' GROUP BY order_id "
                "HAVING COUNT(*) > 1) x", "orders charged twice");
    int allowed_cancels = 0;
    int allowed_messages = 0;
    for (const auto& [key, op] : journal.ops()) {
        if (op.answer != "ACK" || op.result.size() != 5 || op.result[1] != "1") continue;
        allowed_cancels += op.begin[0] == kind::cancel ? 1 : 0;
        allowed_messages += op.begin[0] == kind::message ? 1 : 0;
    }
    // Denied events write only their key, so events lie between the acknowledged allowed ones
    // and all keys of their kind.
    if (c.count("SELECT COUNT(*) FROM events WHERE type = 'cancel'") < allowed_cancels ||
        c.count("SELECT COUNT(*) FROM events WHERE type = 'message'") < allowed_messages) {
        c.problem("fewer cancel/message events than acknowledged allowed ones");
    }
    for (const char* op_kind : {kind::cancel, kind::message}) {
        c.expect(0,
                 std::string("SELECT CASE WHEN (SELECT COUNT(*) FROM events WHERE type = '") + op_kind + "') > " +
                     keys_like(op_kind) + " THEN 1 ELSE 0 END",
                 std::string("more ") + op_kind + " events than " + op_kind + " keys");
    }
}

// Every timer ran once, at its due time, and every order ended exactly one way.
void check_timers_and_orders(Checker& c, UtcMs drained_ms) {
    c.expect(0, "SELECT COUNT(*) FROM timers WHERE due_at_ms <= " + std::to_string(drained_ms),
             "timers due before the drain time still waiting");
    c.expect(0, "SELECT COUNT(*) FROM timers", "timers left at all (every order is past its last timer)");
    c.no_orders("o.is_final = 0", "orders still open after the drain");
    c.expect(0, "SELECT COUNT(*) FROM (SELECT order_id, timer FROM events WHERE type = 'timer' "
                "GROUP BY order_id, timer HAVING COUNT(*) > 1) x", "timers applied twice");
    c.expect(0, std::string("SELECT COUNT(*) FROM events e JOIN orders o ON o.id = e.order_id WHERE e.type = 'timer' "
                            "AND e.timer IN ('expire', 'capture') AND e.now_ms <> o.created_at_ms + ") + window_ms,
             "20-minute timers not decided at their due time");
    c.expect(0, "SELECT COUNT(*) FROM events e JOIN orders o ON o.id = e.order_id WHERE e.type = 'timer' "
                "AND e.timer = 'end' AND e.now_ms < o.created_at_ms + 86400000",
             "rental ends decided before a day had passed");
    c.no_orders("o.product = 'activation' AND (SELECT COUNT(*) FROM events e WHERE e.order_id = o.id AND "
                "(e.type = 'cancel' OR (e.type = 'timer' AND e.timer = 'expire'))) <> 1",
                "activations without exactly one terminal event (cancel or expire)");
    c.no_orders("o.product = 'rental' AND (SELECT COUNT(*) FROM events e WHERE e.order_id = o.id AND "
                "(e.type = 'cancel' OR (e.type = 'timer' AND e.timer = 'end'))) <> 1",
                "rentals without exactly one terminal event (cancel or end)");
    c.expect(0, "SELECT COUNT(*) FROM (SELECT order_id FROM transfers WHERE kind IN ('refund', 'refund_captured') "
                "GROUP BY order_id HAVING COUNT(*) > 1) x", "orders refunded more than once");
    c.no_orders("o.refunded_from_escrow_minor + o.refunded_from_revenue_minor > o.charged_minor",
                "orders refunded more than charged");
    // Where each order's money went, by how it ended (README of OTPDesk): a cancel or an expiry
    // refunds everything, and nothing can have been captured before either.
    c.no_orders("o.state IN ('cancelled', 'expired') AND "
                "(o.refunded_from_escrow_minor <> o.charged_minor OR o.captured_minor <> 0)",
                "cancelled/expired orders not refunded in full");
    c.no_orders("o.state IN ('completed', 'ended') AND "
                "(o.captured_minor <> o.charged_minor OR o.refunded_from_escrow_minor <> 0)",
                "completed/ended orders not captured in full");
    c.no_orders("(o.state = 'cancelled') <> "
                "((SELECT COUNT(*) FROM events e WHERE e.order_id = o.id AND e.type = 'cancel') = 1)",
                "cancelled state and cancel events disagree");
    // A customer's event is never decided at a time before a decision the order already has (a
    // late timer, though, is decided at its due time by design, DESIGN §5).
    c.no_orders("EXISTS (SELECT 1 FROM events a JOIN events b ON b.order_id = a.order_id AND b.seq = a.seq + 1 "
                "WHERE a.order_id = o.id AND b.type <> 'timer' AND b.now_ms < a.now_ms)",
                "orders with a customer event decided at an earlier time than the decision before it");
}

}  // namespace

VerifyStats verify_database(const std::filesystem::path& db_file, const Journal& journal, UtcMs drained_ms) {
    storage::DatabaseOptions options;
    options.target = db_file.string();
    auto opened = storage::Database::open(options);
    EXPECT_TRUE(opened) << opened.error().message;
    if (!opened) return {};
    storage::Database& db = *opened.value();
    Checker c(db);

    c.expect(1, "SELECT COUNT(*) FROM tenants", "tenants (set-up must be idempotent across kills)");
    c.expect(3, "SELECT COUNT(*) FROM accounts WHERE kind = 'customer'", "customer accounts");
    std::string tenant;
    auto found = db.read([&](soci::session& sql) -> Result<Unit> {
        sql << "SELECT id FROM tenants WHERE name = 'crash-shop'", soci::into(tenant);
        return Unit{};
    });
    EXPECT_TRUE(found && !tenant.empty()) << "the driver's tenant is missing";

    for (const auto& [key, op] : journal.ops()) check_op(c, tenant, key, op);
    check_exactly_once(c, journal);
    check_timers_and_orders(c, drained_ms);
    c.report();

    auto audit = audit::run_audit(db);
    EXPECT_TRUE(audit) << audit.error().message;
    if (audit) {
        EXPECT_TRUE(audit.value().ok()) << audit::format_report(audit.value());
    }

    VerifyStats stats;
    stats.orders = c.count("SELECT COUNT(*) FROM orders");
    stats.transfers = c.count("SELECT COUNT(*) FROM transfers");
    const std::string before = std::to_string(drained_ms - drain_jump_ms);
    stats.timer_events_before_drain =
        c.count("SELECT COUNT(*) FROM events WHERE type = 'timer' AND created_at_ms < " + before);
    stats.timer_events_in_drain =
        c.count("SELECT COUNT(*) FROM events WHERE type = 'timer' AND created_at_ms >= " + before);
    return stats;
}

}  // namespace billing::crash
