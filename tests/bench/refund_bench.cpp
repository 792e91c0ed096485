#include "refund_bench.hpp"

#include <algorithm>
#include <iostream>

#include "bench_env.hpp"
#include "due_orders.hpp"
#include "refund_floors.hpp"

namespace billing::bench {

namespace {

constexpr MinorUnits price_max = 1000;  // above any activation price in the shipped config
constexpr std::int64_t lease_s = 30;

struct EngineSweep {
    double seconds = 0;
    std::size_t batches = 0;
    SweepStats stats;
};

// What SweeperRunner does per tick, batch after batch (Sweeper::sweep_once: each batch claimed
// and applied in one transaction).
EngineSweep sweep_all(BenchDb& bench, UtcMs now_ms, std::size_t batch) {
    EngineSweep run;
    const Stopwatch watch;
    for (;;) {
        const SweepStats swept = bench.sweeper().sweep_once(now_ms, lease_s, batch);
        if (swept.claimed == 0) break;
        run.stats += swept;
        ++run.batches;
    }
    run.seconds = watch.seconds();
    return run;
}

void expect_all_refunded(BenchDb& bench, std::size_t n, const std::string& who) {
    const auto counted = must(bench.db().read([&](soci::session& sql) -> Result<long long> {
        long long refunds = 0;
        sql << "SELECT COUNT(*) FROM transfers WHERE kind = 'refund'", soci::into(refunds);
        return refunds;
    }), "counting refunds");
    if (counted != static_cast<long long>(n)) {
        fail(who + " wrote " + std::to_string(counted) + " refunds for " + std::to_string(n) + " due orders");
    }
}

struct FloorRun {
    double per_s = 0;
    double setup_s = 0;
};

template <class Floor>
FloorRun run_floor(const BenchDatabase& database, std::size_t n, std::size_t batch, const EventShape& refund,
                   bool audit, const char* name, Floor floor) {
    BenchDb bench(database, static_cast<MinorUnits>(n) * price_max);
    const Stopwatch setup;
    const DueOrders due = make_due_orders(bench, n);
    FloorRun run;
    run.setup_s = setup.seconds();
    const Stopwatch watch;
    const std::size_t done = floor(bench, due, refund, batch);
    run.per_s = static_cast<double>(done) / watch.seconds();
    if (done != n) fail(std::string(name) + " refunded " + std::to_string(done) + " of " + std::to_string(n));
    expect_all_refunded(bench, n, name);
    if (audit) bench.audit_or_fail(std::string("after the ") + name + " floor");
    return run;
}

}  // namespace

void run_refund_bench(const std::filesystem::path& dir, Backend backend, const RefundCounts& counts, bool audit) {
    const std::size_t n = counts.orders;
    const bool sqlite = backend == Backend::sqlite3;
    EventShape refund;
    EngineSweep engine;
    double setup_s = 0, commit_cap = 0;
    {
        const BenchDatabase database(backend, dir, "refund_engine");
        BenchDb bench(database, static_cast<MinorUnits>(n) * price_max);
        const Stopwatch setup;
        const DueOrders due = make_due_orders(bench, n);
        setup_s = setup.seconds();
        if (audit) bench.audit_or_fail("after the set-up of the due orders");
        engine = sweep_all(bench, due.all_due_ms, counts.batch);
        if (engine.stats.applied != n || engine.stats.failed != 0) {
            fail("the sweeper applied " + std::to_string(engine.stats.applied) + " of " + std::to_string(n) +
                 " timers (failed " + std::to_string(engine.stats.failed) + ": " + engine.stats.last_error.message +
                 ")");
        }
        expect_all_refunded(bench, n, "the engine");
        if (audit) bench.audit_or_fail("after the engine's refunds");
        // The floors write exactly what the engine wrote for the template order.
        refund = must(bench.db().read([&](soci::session& sql) -> Result<EventShape> {
            return read_event_shape(sql, due.template_order_id, 2);
        }), "reading the refund event");
        if (sqlite) commit_cap = commit_cap_per_s(bench, std::min<std::size_t>(n, 2000));
    }
    const FloorRun per_row = run_floor(BenchDatabase(backend, dir, "refund_row"), n, counts.batch, refund, audit,
                                       "per-row", refund_per_row);
    const FloorRun set_based = run_floor(BenchDatabase(backend, dir, "refund_set"), n, counts.batch, refund, audit,
                                         "set-based", refund_set_based);

    const double engine_per_s = static_cast<double>(n) / engine.seconds;
    const bool row_wins = per_row.per_s >= set_based.per_s;
    const double floor_per_s = row_wins ? per_row.per_s : set_based.per_s;
    std::cout << "RATIO name=auto_refund_vs_floor value=" << fixed(engine_per_s / floor_per_s, 3)
              << " target=0.5 engine_per_s=" << fixed(engine_per_s, 1) << " floor_per_s=" << fixed(floor_per_s, 1)
              << " floor=" << (row_wins ? "per_row" : "set_based") << " floor_per_row_per_s=" << fixed(per_row.per_s, 1)
              << " floor_set_based_per_s=" << fixed(set_based.per_s, 1) << " orders=" << n << " batch=" << counts.batch
              << " engine_s=" << fixed(engine.seconds, 3) << " engine_batches=" << engine.batches << " backend=" << config::to_string(backend);
    if (sqlite) std::cout << " commit_cap_per_s=" << fixed(commit_cap, 1);
    std::cout << " setup_s=" << fixed(setup_s, 2) << '\n';
    if (!sqlite) {
        std::cout << "# skipped on a server: commit_cap_per_s and auto_refund_engine_sync_normal "
                     "(SQLite's one-session fsync ceiling and PRAGMA synchronous)\n";
        return;
    }

    // Where the engine's time goes: the same sweep without an fsync per commit leaves the CPU
    // cost of one timer transaction (claim, decide, JSON, statements).
    if (counts.sync_normal_orders > 0) {
        const std::size_t m = counts.sync_normal_orders;
        const BenchDatabase database(backend, dir, "refund_normal");
        BenchDb bench(database, static_cast<MinorUnits>(m) * price_max,
                      BenchDbOptions{config::SqliteSynchronous::normal, 4});
        const DueOrders due = make_due_orders(bench, m);
        const EngineSweep normal = sweep_all(bench, due.all_due_ms, counts.batch);
        if (normal.stats.applied != m) fail("the synchronous=NORMAL sweep did not apply every timer");
        std::cout << "INFO name=auto_refund_engine_sync_normal engine_per_s="
                  << fixed(static_cast<double>(m) / normal.seconds, 1) << " orders=" << m
                  << " us_per_timer=" << fixed(normal.seconds * 1e6 / static_cast<double>(m), 1) << '\n';
    }
}

}  // namespace billing::bench
