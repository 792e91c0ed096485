#include "purchase_bench.hpp"

#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

#include "bench_env.hpp"
#include "billing/core/ids.hpp"
#include "order_shape.hpp"

namespace billing::bench {

namespace {

const sdk::PurchaseRequest activation{"activation", {{"service", "facebook"}, {"country", "de"}}, {}};

// The floor: the rows of one purchase written by hand in one BEGIN IMMEDIATE transaction,
// every statement prepared once and re-executed with new bound values. The JSON texts are the
// engine's, copied from a real order, so no encoding is paid here.
class RawPurchase {
public:
    RawPurchase(BenchDb& bench, const OrderShape& shape)
        : bench_(bench), shape_(shape), lease_(bench.db()), sql_(lease_.sql()),
          begin_(sql_.prepare << "BEGIN IMMEDIATE"),
          insert_order_(
              (sql_.prepare << "INSERT INTO orders (id, tenant_id, account_id, product, state, attributes, terms, "
                               "price_minor, charged_minor, captured_minor, refunded_from_escrow_minor, "
                               "refunded_from_revenue_minor, outcome, policy, is_final, version, created_at_ms, "
                               "updated_at_ms, closed_at_ms) VALUES (:id, :t, :acc, :p, :s, :attr, :terms, :price, "
                               ":ch, 0, 0, 0, :out, :pol, :fin, :v, :cr, :up, NULL)",
               soci::use(order_id_), soci::use(bench.tenant_id), soci::use(bench.customer_id), soci::use(shape.product),
               soci::use(shape.state), soci::use(shape.attributes_json), soci::use(shape.terms_json),
               soci::use(shape.price_minor), soci::use(shape.price_minor), soci::use(shape.outcome),
               soci::use(shape.policy), soci::use(shape.is_final), soci::use(shape.version), soci::use(now_),
               soci::use(now_))),
          debit_((sql_.prepare << "UPDATE accounts SET balance_minor = balance_minor - :a "
                                  "WHERE id = :id AND tenant_id = :t AND balance_minor >= :a2",
                  soci::use(shape.price_minor), soci::use(bench.customer_id), soci::use(bench.tenant_id),
                  soci::use(shape.price_minor))),
          credit_((sql_.prepare << "UPDATE accounts SET balance_minor = balance_minor + :a "
                                   "WHERE id = :id AND tenant_id = :t AND balance_minor <= :limit",
                   soci::use(shape.price_minor), soci::use(bench.escrow_id), soci::use(bench.tenant_id),
                   soci::use(balance_limit_))),
          insert_transfer_((sql_.prepare << "INSERT INTO transfers (id, tenant_id, debit_account_id, "
                                            "credit_account_id, amount_minor, kind, order_id, event_id, "
                                            "created_at_ms) VALUES (:id, :t, :d, :c, :a, :k, :o, :e, :at)",
                            soci::use(transfer_id_), soci::use(bench.tenant_id), soci::use(bench.customer_id),
                            soci::use(bench.escrow_id), soci::use(shape.price_minor), soci::use(shape.transfer_kind),
                            soci::use(order_id_), soci::use(event_id_), soci::use(written_))),
          insert_timer_((sql_.prepare << "INSERT INTO timers (order_id, name, tenant_id, due_at_ms, lease_owner, "
                                         "lease_until_ms) VALUES (:o, :n, :t, :due, NULL, 0)",
                         soci::use(order_id_), soci::use(shape.timer_name), soci::use(bench.tenant_id),
                         soci::use(due_))),
          insert_event_((sql_.prepare << "INSERT INTO events (id, tenant_id, order_id, seq, type, timer, actor, "
                                         "policy, now_ms, allowed, code, decision, created_at_ms) VALUES (:id, :t, "
                                         ":o, :seq, :type, :timer, :actor, :pol, :now, 1, :code, :d, :at)",
                         soci::use(event_id_), soci::use(bench.tenant_id), soci::use(order_id_),
                         soci::use(shape.version), soci::use(shape.event_type), soci::use(shape.event_timer),
                         soci::use(shape.event_actor), soci::use(shape.event_policy), soci::use(now_),
                         soci::use(shape.event_code), soci::use(shape.decision_json), soci::use(written_))),
          commit_(sql_.prepare << "COMMIT") {}

    void purchase(UtcMs now_ms) {
        order_id_ = new_id("ord");
        transfer_id_ = new_id("trf");
        event_id_ = new_id("evt");
        now_ = now_ms;
        written_ = t0_ms;
        due_ = now_ms + shape_.timer_offset_ms;
        begin_.execute(true);
        insert_order_.execute(true);
        debit_.execute(true);
        if (debit_.get_affected_rows() != 1) fail("raw purchase: the customer balance ran out");
        credit_.execute(true);
        if (credit_.get_affected_rows() != 1) fail("raw purchase: escrow update failed");
        insert_transfer_.execute(true);
        insert_timer_.execute(true);
        insert_event_.execute(true);
        commit_.execute(true);
    }

private:
    BenchDb& bench_;
    const OrderShape& shape_;
    std::string order_id_, transfer_id_, event_id_;
    long long now_ = 0, written_ = 0, due_ = 0;
    long long balance_limit_ = (1LL << 62) - 1000;
    storage::Database::Lease lease_;
    soci::session& sql_;
    soci::statement begin_, insert_order_, debit_, credit_, insert_transfer_, insert_timer_, insert_event_, commit_;
};

struct Timing {
    double seconds = 0;
    std::vector<std::int64_t> latencies_us;
};

void engine_purchases(BenchDb& bench, const std::string& customer, std::size_t n, UtcMs& now_ms, Timing& timing) {
    const Stopwatch total;
    for (std::size_t i = 0; i < n; ++i) {
        const Stopwatch one;
        must(bench.engine().purchase(*otpdesk(), bench.tenant_id, customer, activation, now_ms++, Preview::none),
             "engine purchase");
        timing.latencies_us.push_back(one.micros());
    }
    timing.seconds += total.seconds();
}

void raw_purchases(RawPurchase& raw, std::size_t n, UtcMs& now_ms, Timing& timing) {
    const Stopwatch total;
    for (std::size_t i = 0; i < n; ++i) {
        const Stopwatch one;
        raw.purchase(now_ms++);
        timing.latencies_us.push_back(one.micros());
    }
    timing.seconds += total.seconds();
}

// Two threads buying for two customers at once: SQLite has one writer, so this shows what the
// busy-wait on the writer lock costs rather than any gain.
double engine_two_threads(BenchDb& bench, const std::string& second_customer, std::size_t n, UtcMs start_ms) {
    std::atomic<UtcMs> now_ms{start_ms};
    const auto buyer = [&](const std::string& customer) {
        for (std::size_t i = 0; i < n / 2; ++i) {
            must(bench.engine().purchase(*otpdesk(), bench.tenant_id, customer, activation, now_ms.fetch_add(1),
                                         Preview::none),
                 "engine purchase (2 threads)");
        }
    };
    const Stopwatch watch;
    std::thread first(buyer, bench.customer_id);
    std::thread second(buyer, second_customer);
    first.join();
    second.join();
    const std::size_t bought = n / 2 * 2;  // each thread buys n / 2
    return static_cast<double>(bought) / watch.seconds();
}

}  // namespace

void run_purchase_bench(const std::filesystem::path& dir, const PurchaseCounts& counts, bool audit) {
    const std::size_t per_round = counts.purchases / counts.rounds;
    const std::size_t total = per_round * counts.rounds;
    const MinorUnits price_max = 1000;  // above any activation price in the shipped config
    const BenchDatabase database(Backend::sqlite3, dir, "purchase");
    BenchDb bench(database, static_cast<MinorUnits>(2 * (total + counts.warmup) + 10) * price_max);
    const std::string second_customer = bench.add_customer("customer-2", static_cast<MinorUnits>(total) * price_max);

    UtcMs now_ms = t0_ms;
    const std::string template_order =
        must(bench.engine().purchase(*otpdesk(), bench.tenant_id, bench.customer_id, activation, now_ms++),
             "template purchase")
            .order.id;
    const OrderShape shape = must(bench.db().read([&](soci::session& sql) -> Result<OrderShape> {
        return read_order_shape(sql, template_order);
    }),
                                  "reading the template order");

    Timing engine, floor, warm;
    {
        RawPurchase raw(bench, shape);
        raw_purchases(raw, counts.warmup, now_ms, warm);
    }
    engine_purchases(bench, bench.customer_id, counts.warmup, now_ms, warm);
    for (std::size_t round = 0; round < counts.rounds; ++round) {
        {
            // The floor holds one pooled session for its prepared statements while it runs.
            RawPurchase raw(bench, shape);
            raw_purchases(raw, per_round, now_ms, floor);
        }
        engine_purchases(bench, bench.customer_id, per_round, now_ms, engine);
    }
    const double engine_per_s = static_cast<double>(total) / engine.seconds;
    const double floor_per_s = static_cast<double>(total) / floor.seconds;
    const double two_threads_per_s = engine_two_threads(bench, second_customer, total, now_ms);
    const double commit_cap = commit_cap_per_s(bench, per_round);
    if (audit) bench.audit_or_fail("after the purchases");

    std::cout << "RATIO name=purchase_vs_raw_tx value=" << fixed(engine_per_s / floor_per_s, 3)
              << " target=0.8 engine_per_s=" << fixed(engine_per_s, 1) << " floor_per_s=" << fixed(floor_per_s, 1)
              << " threads=1 purchases=" << total << " commit_cap_per_s=" << fixed(commit_cap, 1) << '\n';
    std::cout << "RATIO name=purchase_2threads_vs_raw_tx value=" << fixed(two_threads_per_s / floor_per_s, 3)
              << " target=0.8 engine_per_s=" << fixed(two_threads_per_s, 1) << " floor_per_s=" << fixed(floor_per_s, 1)
              << " threads=2 purchases=" << total << '\n';
    auto& e = engine.latencies_us;
    auto& f = floor.latencies_us;
    std::cout << "LATENCY name=purchase p50_us=" << quantile(e, 0.50) << " p99_us=" << quantile(e, 0.99)
              << " max_us=" << quantile(e, 1.0) << " floor_p50_us=" << quantile(f, 0.50)
              << " floor_p99_us=" << quantile(f, 0.99) << " samples=" << e.size() << '\n';
}

}  // namespace billing::bench
