#include "refund_bench.hpp"

#include <algorithm>
#include <iostream>

#include "bench_env.hpp"
#include "due_orders.hpp"
#include "refund_floors.hpp"

namespace billing::bench {

namespace {

constexpr std::int64_t lease_s = 30;

struct EngineSweep {
    double seconds = 0;
    std::size_t batches = 0;
    SweepStats stats;
};

// What SweeperRunner does per tick, batch after batch (Sweeper::sweep_once: each batch claimed
// and applied in one transaction), until rows_max timers ran or none is due.
void sweep(BenchDb& bench, UtcMs now_ms, std::size_t batch, std::size_t rows_max, EngineSweep& run) {
    const Stopwatch watch;
    std::size_t done = 0;
    while (done < rows_max) {
        const SweepStats swept = bench.sweeper().sweep_once(now_ms, lease_s, std::min(batch, rows_max - done));
        if (swept.claimed == 0) break;
        done += swept.claimed;
        run.stats += swept;
        ++run.batches;
    }
    run.seconds += watch.seconds();
}

void expect_all_refunded(BenchDb& bench, std::size_t n, const std::string& who) {
    const auto counted = must(bench.db().read([&](soci::session& sql) -> Result<long long> {
        long long refunds = 0;
        sql << "SELECT COUNT(*) FROM transfers WHERE kind = 'refund'", soci::into(refunds);
        return refunds;
    }),
                              "counting refunds");
    if (counted != static_cast<long long>(n)) {
        fail(who + " wrote " + std::to_string(counted) + " refunds for " + std::to_string(n) + " due orders");
    }
}

// One side of the figure: its own database with the same n due orders.
struct Side {
    Side(Backend backend, const std::filesystem::path& dir, const std::string& name, std::size_t n)
        : database(backend, dir, name), bench(database, static_cast<MinorUnits>(n) * price_max_minor) {
        const Stopwatch watch;
        due = make_due_orders(bench, n);
        setup_s = watch.seconds();
    }

    BenchDatabase database;
    BenchDb bench;
    DueOrders due;
    double setup_s = 0;
    double seconds = 0;  // the side's refund work, summed over the rounds
    std::size_t done = 0;
};

template <class Floor>
void floor_round(Side& side, std::size_t rows, std::size_t batch, const EventShape& refund, Floor floor) {
    const Stopwatch watch;
    side.done += floor(side.bench, side.due, refund, batch, rows);
    side.seconds += watch.seconds();
}

}  // namespace

void run_refund_bench(const std::filesystem::path& dir, Backend backend, const RefundCounts& counts, bool audit) {
    const std::size_t n = counts.orders;
    const bool sqlite = backend == Backend::sqlite3;
    // Three databases with identical due orders; the sides take turns in rounds, each round in a
    // different order, so that a slow spell of the disk or the server hits all three.
    Side engine_side(backend, dir, "refund_engine", n);
    Side per_row(backend, dir, "refund_row", n);
    Side set_based(backend, dir, "refund_set", n);
    if (audit) engine_side.bench.audit_or_fail("after the set-up of the due orders");
    EngineSweep engine;
    EventShape refund;
    constexpr std::size_t rounds = 5;
    for (std::size_t round = 0; round < rounds; ++round) {
        const std::size_t rows = round + 1 < rounds ? n / rounds : n - (rounds - 1) * (n / rounds);
        // Round r starts with side r % 3: the engine first in round 0, so that the floors can
        // copy what it wrote.
        for (std::size_t turn = 0; turn < 3; ++turn) {
            switch ((round + turn) % 3) {
                case 0:
                    sweep(engine_side.bench, engine_side.due.all_due_ms, counts.batch, rows, engine);
                    if (round == 0) {
                        // The floors write exactly what the engine wrote for the template order
                        // (the earliest due, so refunded in this first round).
                        refund = must(engine_side.bench.db().read([&](soci::session& sql) -> Result<EventShape> {
                            return read_event_shape(sql, engine_side.due.template_order_id, 2);
                        }),
                                      "reading the refund event");
                    }
                    break;
                case 1: floor_round(per_row, rows, counts.batch, refund, refund_per_row); break;
                default: floor_round(set_based, rows, counts.batch, refund, refund_set_based); break;
            }
        }
    }

    if (engine.stats.applied != n || engine.stats.failed != 0) {
        fail("the sweeper applied " + std::to_string(engine.stats.applied) + " of " + std::to_string(n) +
             " timers (failed " + std::to_string(engine.stats.failed) + ": " + engine.stats.last_error.message + ")");
    }
    expect_all_refunded(engine_side.bench, n, "the engine");
    for (Side* floor : {&per_row, &set_based}) {
        const std::string name = floor == &per_row ? "per-row" : "set-based";
        if (floor->done != n)
            fail(name + " floor refunded " + std::to_string(floor->done) + " of " + std::to_string(n));
        expect_all_refunded(floor->bench, n, name + " floor");
    }
    if (audit) {
        engine_side.bench.audit_or_fail("after the engine's refunds");
        per_row.bench.audit_or_fail("after the per-row floor");
        set_based.bench.audit_or_fail("after the set-based floor");
    }
    const double commit_cap = sqlite ? commit_cap_per_s(engine_side.bench, std::min<std::size_t>(n, 2000)) : 0;

    const double engine_per_s = static_cast<double>(n) / engine.seconds;
    const double per_row_per_s = static_cast<double>(n) / per_row.seconds;
    const double set_based_per_s = static_cast<double>(n) / set_based.seconds;
    const bool row_wins = per_row_per_s >= set_based_per_s;
    const double floor_per_s = row_wins ? per_row_per_s : set_based_per_s;
    std::cout << "RATIO name=auto_refund_vs_floor value=" << fixed(engine_per_s / floor_per_s, 3)
              << " target=0.5 engine_per_s=" << fixed(engine_per_s, 1) << " floor_per_s=" << fixed(floor_per_s, 1)
              << " floor=" << (row_wins ? "per_row" : "set_based") << " floor_per_row_per_s=" << fixed(per_row_per_s, 1)
              << " floor_set_based_per_s=" << fixed(set_based_per_s, 1) << " orders=" << n << " batch=" << counts.batch
              << " rounds=" << rounds << " engine_s=" << fixed(engine.seconds, 3)
              << " engine_batches=" << engine.batches << " backend=" << config::to_string(backend);
    if (sqlite) std::cout << " commit_cap_per_s=" << fixed(commit_cap, 1);
    std::cout << " setup_s=" << fixed(engine_side.setup_s, 2) << '\n';
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
        BenchDb bench(database, static_cast<MinorUnits>(m) * price_max_minor,
                      BenchDbOptions{config::SqliteSynchronous::normal, 4});
        const DueOrders due = make_due_orders(bench, m);
        EngineSweep normal;
        sweep(bench, due.all_due_ms, counts.batch, m, normal);
        if (normal.stats.applied != m) fail("the synchronous=NORMAL sweep did not apply every timer");
        std::cout << "INFO name=auto_refund_engine_sync_normal engine_per_s="
                  << fixed(static_cast<double>(m) / normal.seconds, 1) << " orders=" << m
                  << " us_per_timer=" << fixed(normal.seconds * 1e6 / static_cast<double>(m), 1) << '\n';
    }
}

}  // namespace billing::bench
