#include "crash_verify.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "billing/audit/audit.hpp"
#include "billing/storage/database.hpp"
#include "crash_protocol.hpp"

namespace billing::crash {

namespace {

// Refusals that a correct engine gives this workload: money ran short for a long rental.
const std::set<std::string> expected_refusals = {"insufficient_funds"};
constexpr std::size_t problems_shown_max = 25;
constexpr long long ms_per_hour = 3'600'000;
constexpr const char* window_ms = "1200000";  // config/otpdesk.toml: activation window, rental cancel window

std::string sql_text(const std::string& text) {
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

    // The rows of a query that selects one text column (SQLite: fields joined with ' ').
    std::vector<std::vector<std::string>> rows(const std::string& query) {
        std::vector<std::vector<std::string>> out;
        auto done = db_.read([&](soci::session& sql) -> Result<Unit> {
            soci::rowset<std::string> found = (sql.prepare << query);
            for (const std::string& line : found) out.push_back(split_words(line));
            return Unit{};
        });
        EXPECT_TRUE(done) << done.error().message << " in " << query;
        return out;
    }

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

// The tenants' ids by their BEGIN tags.
struct TenantIds {
    std::string live;
    std::string lab;
    [[nodiscard]] const std::string& of(const std::string& tag) const { return tag == tenant_tag::lab ? lab : live; }
};

// An acknowledged advance of the lab tenant's clock: it moved the clock to the asked time, and
// every lab timer due by then had run when it was answered (none ran later, in the drain).
void check_advance(Checker& c, const TenantIds& tenants, const std::string& label, const Op& op) {
    const std::vector<std::string>& r = op.result;
    if (r[0] != op.begin.at(3)) c.problem(label + ": the clock is not at the time asked for");
    c.expect(0,
             "SELECT COUNT(*) FROM events WHERE tenant_id = " + sql_text(tenants.lab) +
                 " AND type = 'timer' AND now_ms <= " + r[0] + " AND created_at_ms > " + r[3],
             label + ": timers due by the advanced clock ran only after its answer");
}

// One acknowledged (or refused, or replayed) operation against what the database holds.
void check_op(Checker& c, const TenantIds& tenants, const std::string& key, const Op& op) {
    const std::string& kind = op.begin.at(0);
    const std::string& tenant = tenants.of(op.begin.at(2));
    const std::string keys = "SELECT COUNT(*) FROM idempotency_keys WHERE tenant_id = " + sql_text(tenant) +
                             " AND idem_key = " + sql_text(key);
    const std::string label = kind + " " + key + " (" + (op.answer.empty() ? "unanswered" : op.answer) + ")";
    if (op.answer.empty()) {
        c.problem(label + ": never answered, not even by the final drain run");
        return;
    }
    if (op.answer == not_landed) {
        // An abandoned advance stores no key: whether it moved the clock is not known, and
        // nothing depends on it (the next advance or the drain runs its timers).
        if (kind != kind::advance) c.expect(0, keys, label + ": abandoned, not landed, but its key is stored");
        return;
    }
    if (kind != kind::advance) {
        c.expect(op.answer == "NACK" ? 0 : 1, keys,
                 label + (op.answer == "NACK" ? ": a refused operation left its key" : ": its idempotency record"));
    }
    if (op.answer == "NACK") {
        if (op.result.empty() || expected_refusals.count(op.result[0]) == 0) {
            c.problem(label + ": unexpected refusal " + join_words(op.result));
        }
        return;
    }
    // An ACK and a DUP both carry what was committed (crash_model checks their shapes).
    const std::vector<std::string>& r = op.result;
    if (kind == kind::deposit && r.size() == 3) {
        c.expect(1,
                 "SELECT COUNT(*) FROM transfers WHERE kind = 'deposit' AND credit_account_id = " + sql_text(r[0]) +
                     " AND amount_minor = " + r[1],
                 label + ": its deposit transfer");
    } else if ((kind == kind::activation || kind == kind::rental) && r.size() == 2) {
        const std::string order = sql_text(r[0]);
        c.expect(1,
                 "SELECT COUNT(*) FROM orders WHERE id = " + order + " AND product = " + sql_text(kind) +
                     " AND account_id = " + sql_text(op.begin.at(3)) + " AND tenant_id = " + sql_text(tenant) +
                     " AND price_minor = " + r[1],
                 label + ": its order");
        c.expect(1,
                 "SELECT COUNT(*) FROM transfers WHERE kind = 'purchase' AND order_id = " + order +
                     " AND amount_minor = " + r[1],
                 label + ": its purchase charge");
        c.expect(1, "SELECT COUNT(*) FROM events WHERE order_id = " + order + " AND seq = 1 AND type = 'purchase'",
                 label + ": its purchase event");
    } else if (kind == kind::advance && r.size() == 4) {
        check_advance(c, tenants, label, op);
    } else if (r.size() == 7 && r[1] == "1") {
        c.expect(1,
                 "SELECT COUNT(*) FROM events WHERE order_id = " + sql_text(r[0]) + " AND seq = " + r[3] +
                     " AND type = " + sql_text(kind),
                 label + ": its event at version " + r[3]);
        if (kind == kind::extend) {
            c.expect(1,
                     "SELECT COUNT(*) FROM transfers t JOIN events e ON e.id = t.event_id WHERE e.order_id = " +
                         sql_text(r[0]) + " AND e.seq = " + r[3] + " AND t.kind = 'charge'",
                     label + ": its charge");
        }
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
    c.expect(0, "SELECT (SELECT COUNT(*) FROM transfers WHERE kind = 'purchase') - (SELECT COUNT(*) FROM orders)",
             "purchase charges minus orders");
    c.expect(0,
             "SELECT COUNT(*) FROM (SELECT order_id FROM transfers WHERE kind = 'purchase' GROUP BY order_id "
             "HAVING COUNT(*) > 1) x",
             "orders charged twice");
    // Every allowed extension charged once, and it is the only thing that charges an order.
    c.expect(0,
             "SELECT (SELECT COUNT(*) FROM transfers WHERE kind = 'charge') - "
             "(SELECT COUNT(*) FROM events WHERE type = 'extend')",
             "extension charges minus extension events");
    std::map<std::string, int> allowed;
    for (const auto& [key, op] : journal.ops()) {
        if ((op.answer == "ACK" || op.answer == "DUP") && op.result.size() == 7 && op.result[1] == "1") {
            ++allowed[op.begin[0]];
        }
    }
    // Denied events write only their key, so events lie between the answered allowed ones and
    // all keys of their kind.
    for (const char* op_kind : {kind::cancel, kind::message, kind::extend}) {
        const long long events = c.count(std::string("SELECT COUNT(*) FROM events WHERE type = '") + op_kind + "'");
        if (events < allowed[op_kind]) {
            c.problem(std::string("fewer ") + op_kind + " events (" + std::to_string(events) +
                      ") than answered allowed ones (" + std::to_string(allowed[op_kind]) + ")");
        }
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
    c.expect(0,
             "SELECT COUNT(*) FROM (SELECT order_id, timer FROM events WHERE type = 'timer' "
             "GROUP BY order_id, timer HAVING COUNT(*) > 1) x",
             "timers applied twice");
    c.expect(0,
             std::string("SELECT COUNT(*) FROM events e JOIN orders o ON o.id = e.order_id WHERE e.type = 'timer' "
                         "AND e.timer IN ('expire', 'capture') AND e.now_ms <> o.created_at_ms + ") +
                 window_ms,
             "20-minute timers not decided at their due time");
    c.expect(0,
             "SELECT COUNT(*) FROM events e JOIN orders o ON o.id = e.order_id WHERE e.type = 'timer' "
             "AND e.timer = 'end' AND e.now_ms < o.created_at_ms + 86400000",
             "rental ends decided before a day had passed");
    c.no_orders("o.product = 'activation' AND (SELECT COUNT(*) FROM events e WHERE e.order_id = o.id AND "
                "(e.type = 'cancel' OR (e.type = 'timer' AND e.timer = 'expire'))) <> 1",
                "activations without exactly one terminal event (cancel or expire)");
    c.no_orders("o.product = 'rental' AND (SELECT COUNT(*) FROM events e WHERE e.order_id = o.id AND "
                "(e.type = 'cancel' OR (e.type = 'timer' AND e.timer = 'end'))) <> 1",
                "rentals without exactly one terminal event (cancel or end)");
    c.expect(0,
             "SELECT COUNT(*) FROM (SELECT order_id FROM transfers WHERE kind IN ('refund', 'refund_captured') "
             "GROUP BY order_id HAVING COUNT(*) > 1) x",
             "orders refunded more than once");
    c.no_orders("o.refunded_from_escrow_minor + o.refunded_from_revenue_minor > o.charged_minor",
                "orders refunded more than charged");
    // Where each order's money went, by how it ended (README of OTPDesk): a cancel or an expiry
    // refunds the purchase in full, and nothing but paid extensions (captured when paid) can
    // have been captured before either.
    c.no_orders("o.state IN ('cancelled', 'expired') AND (o.refunded_from_escrow_minor <> o.price_minor OR "
                "o.captured_minor <> o.charged_minor - o.price_minor)",
                "cancelled/expired orders not refunded the purchase in full");
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

// The database against the model the answers alone give (crash_model.hpp): every order, how
// it ended, where its money went and when a rental's time ended (its end timer, which each
// extension moved, ran once at the purchased and extended hours), and every customer's balance.
void check_model(Checker& c, const TenantIds& tenants, const Model& model) {
    for (const std::string& problem : model.problems) c.problem("answers: " + problem);
    std::size_t orders_seen = 0;
    for (const auto& row : c.rows("SELECT id || ' ' || tenant_id || ' ' || account_id || ' ' || product || ' ' || "
                                  "state || ' ' || charged_minor || ' ' || captured_minor || ' ' || "
                                  "refunded_from_escrow_minor || ' ' || refunded_from_revenue_minor || ' ' || "
                                  "COALESCE((SELECT SUM(e.now_ms - o.created_at_ms) FROM events e WHERE "
                                  "e.order_id = o.id AND e.type = 'timer' AND e.timer = 'end'), -1) FROM orders o")) {
        ++orders_seen;
        const auto found = model.orders.find(row[0]);
        if (found == model.orders.end()) {
            c.problem("order " + row[0] + ": no answer names it");
            continue;
        }
        const OrderModel& m = found->second;
        const bool activation = m.product == kind::activation;
        const std::string state = m.cancelled   ? "cancelled"
                                  : !activation ? "ended"
                                  : m.delivered ? "completed"
                                                : "expired";
        const bool refunded = m.cancelled || state == "expired";
        const long long end_after_ms = state == "ended" ? m.rented_hours * ms_per_hour : -1;
        const std::vector<std::string> expected = {row[0],
                                                   tenants.of(m.tenant_tag),
                                                   m.account,
                                                   m.product,
                                                   state,
                                                   std::to_string(m.charged),
                                                   std::to_string(refunded ? m.extension_charges : m.charged),
                                                   std::to_string(refunded ? m.price : 0),
                                                   "0",
                                                   std::to_string(end_after_ms)};
        if (row != expected) {
            c.problem("order " + row[0] + ": the database has [" + join_words(row) + "], the answers say [" +
                      join_words(expected) + "]");
        }
    }
    if (orders_seen != model.orders.size()) {
        c.problem(std::to_string(model.orders.size()) + " orders answered, " + std::to_string(orders_seen) +
                  " in the database");
    }
    for (const auto& row : c.rows("SELECT id || ' ' || external_ref || ' ' || balance_minor FROM accounts "
                                  "WHERE kind = 'customer'")) {
        long long expected = 0;
        for (const SetUpAccount& wanted : set_up_accounts) {
            expected += row[1] == wanted.external_ref ? wanted.deposit_minor : 0;
        }
        if (const auto moved = model.balances.find(row[0]); moved != model.balances.end()) expected += moved->second;
        if (row[2] != std::to_string(expected)) {
            c.problem("account " + row[1] + " (" + row[0] + "): balance " + row[2] + ", recomputed from the answers " +
                      std::to_string(expected));
        }
    }
}

}  // namespace

void settle_abandoned(const std::filesystem::path& db_file, Journal& journal) {
    storage::DatabaseOptions options;
    options.target = db_file.string();
    auto opened = storage::Database::open(options);
    ASSERT_TRUE(opened) << opened.error().message;
    for (const auto& [key, op] : journal.ops()) {
        if (!op.abandoned) continue;
        const std::string tenant_name = op.begin.at(2) == tenant_tag::lab ? lab_tenant_name : live_tenant_name;
        std::string response;
        soci::indicator ind = soci::i_null;
        // A name of its own for the lambda: clang 14 (clang-tidy's parser) cannot capture a structured binding.
        const auto& idem_key = key;
        auto read = opened.value()->read([&](soci::session& sql) -> Result<Unit> {
            sql << "SELECT k.response FROM idempotency_keys k JOIN tenants t ON t.id = k.tenant_id "
                   "WHERE t.name = :n AND k.idem_key = :k",
                soci::into(response, ind), soci::use(tenant_name), soci::use(idem_key);
            return Unit{};
        });
        ASSERT_TRUE(read) << read.error().message;
        const bool landed = op.begin.at(0) != kind::advance && ind == soci::i_ok;
        journal.settle(key, landed ? "DUP" : not_landed, landed ? split_words(response) : std::vector<std::string>{});
    }
}

VerifyStats verify_database(const std::filesystem::path& db_file, const Journal& journal, const Model& model,
                            UtcMs drained_ms) {
    storage::DatabaseOptions options;
    options.target = db_file.string();
    auto opened = storage::Database::open(options);
    EXPECT_TRUE(opened) << opened.error().message;
    if (!opened) return {};
    storage::Database& db = *opened.value();
    Checker c(db);

    c.expect(2, "SELECT COUNT(*) FROM tenants", "tenants (set-up must be idempotent across kills)");
    c.expect(static_cast<long long>(set_up_accounts.size()), "SELECT COUNT(*) FROM accounts WHERE kind = 'customer'",
             "customer accounts");
    TenantIds tenants;
    for (const auto& row : c.rows("SELECT name || ' ' || id || ' ' || test_mode FROM tenants")) {
        if (row.size() != 3) continue;
        if (row == std::vector<std::string>{live_tenant_name, row[1], "0"}) tenants.live = row[1];
        if (row == std::vector<std::string>{lab_tenant_name, row[1], "1"}) tenants.lab = row[1];
    }
    EXPECT_FALSE(tenants.live.empty() || tenants.lab.empty()) << "a driver's tenant is missing or in the wrong mode";

    for (const auto& [key, op] : journal.ops()) check_op(c, tenants, key, op);
    check_exactly_once(c, journal);
    check_timers_and_orders(c, drained_ms);
    check_model(c, tenants, model);

    VerifyStats stats;
    stats.orders = c.count("SELECT COUNT(*) FROM orders");
    stats.transfers = c.count("SELECT COUNT(*) FROM transfers");
    const std::string before = std::to_string(drained_ms - drain_jump_ms);
    const std::string timers = "SELECT COUNT(*) FROM events WHERE type = 'timer' AND created_at_ms ";
    stats.timer_events_before_drain = c.count(timers + "< " + before);
    stats.timer_events_in_drain = c.count(timers + ">= " + before);
    stats.lab_timer_events_before_drain = c.count(timers + "< " + before + " AND tenant_id = " + sql_text(tenants.lab));
    stats.live_auto_refunds_before_drain =
        c.count("SELECT COUNT(*) FROM events e JOIN orders o ON o.id = e.order_id WHERE e.type = 'timer' AND "
                "e.timer = 'expire' AND o.state = 'expired' AND e.tenant_id = " +
                sql_text(tenants.live) + " AND e.created_at_ms < " + before);
    // A killed advance may have run timers that its retry then did not count.
    if (stats.lab_timer_events_before_drain < model.tally.advance_timers) {
        c.problem("fewer lab timer events before the drain than the advances' answers ran");
    }
    c.report();

    auto audit = audit::run_audit(db);
    EXPECT_TRUE(audit) << audit.error().message;
    if (audit) {
        EXPECT_TRUE(audit.value().ok()) << audit::format_report(audit.value());
    }
    return stats;
}

}  // namespace billing::crash
