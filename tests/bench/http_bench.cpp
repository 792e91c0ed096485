#include "http_bench.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench_env.hpp"
#include "bench_host.hpp"
#include "billing/audit/audit.hpp"
#include "billing/storage/ledger.hpp"
#include "http_bench_report.hpp"
#include "http_pair_client.hpp"
#include "pair_floor.hpp"
#include "trivial_server.hpp"

namespace billing::bench {

namespace {

// Far above one activation's price: a customer never has more than one order open.
constexpr MinorUnits deposit_minor = 100'000;

template <class Client>
std::vector<PairClient*> pointers(const std::vector<std::unique_ptr<Client>>& clients) {
    std::vector<PairClient*> out;
    for (const auto& c : clients) out.push_back(c.get());
    return out;
}

// Adds a run to a side, and its pairs to *orders when given (the runs that write orders to
// the host's database); false (after saying why on stderr) when a client stopped on a failure.
bool add(Side& side, const LoadRun& run, const std::string& what, std::size_t* orders = nullptr) {
    side.seconds += run.seconds;
    side.pairs += run.pairs;
    if (orders != nullptr) *orders += run.pairs;
    if (run.failures == 0) return true;
    std::cerr << "billing_http_bench: " << what << ": " << run.failures
              << " client(s) stopped on a failure; the first: " << run.first_failure << '\n';
    return false;
}

// One order bought and cancelled over HTTP, read back: the texts and shape the floor copies.
PairShape template_shape(BenchHost& host, storage::Database& db) {
    HttpPairClient client(host.port(), host.service_key, host.customers.back(), "template");
    PairShape shape;
    if (!client.purchase()) fail("template purchase: " + client.failure());
    const std::string purchase_key = client.last_idempotency_key();
    shape.purchase = must(
        db.read([&](soci::session& sql) -> Result<OrderShape> { return read_purchase_shape(sql, client.order_id()); }),
        "reading the template order");
    if (!client.cancel()) fail("template cancel: " + client.failure());
    must(db.read([&](soci::session& sql) -> Result<Unit> {
        read_cancel_shape(sql, client.order_id(), purchase_key, client.last_idempotency_key(), shape);
        return Unit{};
    }),
         "reading the cancelled template order");
    return shape;
}

// The ledger audit over a host's database, plus the benchmark's own promises: exactly
// expected_orders orders, every one of them cancelled (so final, with no timer left).
bool audit_database(const config::DatabaseConfig& database, std::size_t expected_orders, const std::string& name,
                    std::ostream& out) {
    auto db = must(storage::Database::open(storage::DatabaseOptions::from(database)), "opening " + database.target);
    const auto report = must(audit::run_audit(*db), "audit of " + name);
    if (!report.ok()) {
        std::cerr << "billing_http_bench: the audit of " << name << " found violations:\n"
                  << audit::format_report(report);
        return false;
    }
    const auto counts = must(db->read([&](soci::session& sql) -> Result<std::pair<long long, long long>> {
        long long orders = -1, open = -1;
        sql << "SELECT COUNT(*), COALESCE(SUM(CASE WHEN is_final = 0 THEN 1 ELSE 0 END), 0) FROM orders",
            soci::into(orders), soci::into(open);
        return std::pair{orders, open};
    }),
                             "counting orders");
    if (counts.first != static_cast<long long>(expected_orders) || counts.second != 0) {
        std::cerr << "billing_http_bench: " << name << " holds " << counts.first << " orders (" << counts.second
                  << " open); expected " << expected_orders << ", all cancelled\n";
        return false;
    }
    out << "# checked " << name << ": audit clean; " << counts.first << " orders, every one cancelled and refunded\n"
        << std::flush;
    return true;
}

// The clients of the synchronous=FULL host's figures, one of each kind per client thread.
struct FullRig {
    std::vector<std::unique_ptr<HttpPairClient>> http, trivial;
    std::vector<std::unique_ptr<RawPairFloor>> floor, locked;
    std::mutex writer_lock;  // the locked floor's
    std::size_t orders = 1;  // in the host's database: the template's, then every pair's
};

// Customers: the HTTP clients' (and the trivial clients', who never reach the host), then
// the floor's, then the locked floor's (SQLite only: on a server the host takes no writer
// turn, so there is nothing to compare it with); the template's is the last.
void make_clients(FullRig& rig, BenchHost& host, const PairShape& shape, const std::string& escrow,
                  std::uint16_t trivial_port, std::size_t n) {
    const config::DatabaseConfig& database = host.database();
    const bool sqlite = database.backend == Backend::sqlite3;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string tag = std::to_string(i);
        const std::string& key = host.service_key;
        rig.http.push_back(std::make_unique<HttpPairClient>(host.port(), key, host.customers[i], "http" + tag));
        rig.trivial.push_back(std::make_unique<HttpPairClient>(trivial_port, key, host.customers[i], "trivial" + tag));
        const FloorAccounts floor{host.tenant_id, escrow, host.customers[n + i]};
        rig.floor.push_back(std::make_unique<RawPairFloor>(database, shape, floor, "floor" + tag));
        const FloorAccounts locked{host.tenant_id, escrow, host.customers[2 * n + i]};
        if (sqlite) {
            rig.locked.push_back(
                std::make_unique<RawPairFloor>(database, shape, locked, "locked" + tag, &rig.writer_lock));
        }
    }
}

// The warm-up, then the rounds in which the trivial handler, the host and both floors take turns.
bool run_rounds(FullRig& rig, const HttpBenchCounts& counts, Measured& m) {
    const bool locked = !rig.locked.empty();  // SQLite only
    Side warm;
    if (!add(warm, run_flat_out(pointers(rig.trivial), counts.warmup_pairs), "trivial warm-up") ||
        !add(warm, run_flat_out(pointers(rig.http), counts.warmup_pairs), "HTTP warm-up", &rig.orders) ||
        !add(warm, run_flat_out(pointers(rig.floor), counts.warmup_pairs), "floor warm-up", &rig.orders) ||
        (locked &&
         !add(warm, run_flat_out(pointers(rig.locked), counts.warmup_pairs), "locked floor warm-up", &rig.orders))) {
        return false;
    }
    const std::size_t per_client = std::max<std::size_t>(1, counts.pairs / counts.rounds / counts.clients);
    for (std::size_t round = 1; round <= counts.rounds; ++round) {
        const std::string r = " round " + std::to_string(round);
        if (!add(m.trivial, run_flat_out(pointers(rig.trivial), counts.trivial_pairs), "trivial" + r) ||
            !add(m.http, run_flat_out(pointers(rig.http), per_client), "HTTP" + r, &rig.orders) ||
            !add(m.floor, run_flat_out(pointers(rig.floor), per_client), "floor" + r, &rig.orders) ||
            (locked &&
             !add(m.floor_locked, run_flat_out(pointers(rig.locked), per_client), "locked floor" + r, &rig.orders))) {
            return false;
        }
    }
    return true;
}

// Half the host's measured maximum, offered to the host and to both floors at the same rate.
bool run_half_load(FullRig& rig, const HttpBenchCounts& counts, Measured& m) {
    m.offered_per_s = m.http.requests_per_s() / 2;
    const auto pairs = static_cast<std::size_t>(
        std::max(1.0, std::round(counts.paced_s * m.offered_per_s / 2 / static_cast<double>(counts.clients))));
    m.http_paced = run_paced(pointers(rig.http), pairs, m.offered_per_s);
    m.floor_paced = run_paced(pointers(rig.floor), pairs, m.offered_per_s);
    if (!rig.locked.empty()) m.locked_paced = run_paced(pointers(rig.locked), pairs, m.offered_per_s);
    Side paced;
    return add(paced, m.http_paced, "HTTP at half load", &rig.orders) &&
           add(paced, m.floor_paced, "floor at half load", &rig.orders) &&
           add(paced, m.locked_paced, "locked floor at half load", &rig.orders);
}

// Everything measured on the synchronous=FULL host: the rounds, the paced runs, the commit cap.
bool measure_full(const std::filesystem::path& dir, Backend backend, const HttpBenchCounts& counts,
                  const HttpBenchChecks& checks, Measured& m, std::ostream& out) {
    const std::size_t n = counts.clients;
    const BenchDatabase data(backend, dir, "http_full");
    BenchHost host(dir, "http_full", data.config(), 3 * n + 1, deposit_minor);
    const config::DatabaseConfig database = host.database();
    auto floor_db = must(storage::Database::open(storage::DatabaseOptions::from(database)),
                         "opening a second connection to " + database.url);
    const PairShape shape = template_shape(host, *floor_db);
    const std::string escrow =
        must(floor_db->read([&](soci::session& sql) { return ledger::system_accounts(sql, host.tenant_id); }),
             "the tenant's system accounts")
            .escrow;
    const TrivialServer trivial_server;
    FullRig rig;
    make_clients(rig, host, shape, escrow, trivial_server.port(), n);
    if (!run_rounds(rig, counts, m) || !run_half_load(rig, counts, m)) return false;
    if (m.sqlite) {
        const BenchDatabase cap_data(Backend::sqlite3, dir, "commit_cap");
        BenchDb cap(cap_data, 0);
        m.commit_cap_per_s = commit_cap_per_s(cap, counts.commit_cap_transactions);
    }
    rig.floor.clear();  // their connections close before the server database is dropped
    rig.locked.clear();
    floor_db.reset();
    host.stop();
    const char* name = m.sqlite ? "the synchronous=FULL host's database" : "the host's database";
    return !checks.audit || audit_database(database, rig.orders, name, out);
}

// The same HTTP load once more on a synchronous=NORMAL host: commits without an fsync.
bool measure_sync_normal(const std::filesystem::path& dir, const HttpBenchCounts& counts, const HttpBenchChecks& checks,
                         Side& normal, std::ostream& out) {
    const std::size_t n = counts.clients;
    const BenchDatabase data(Backend::sqlite3, dir, "http_normal");
    config::DatabaseConfig normal_config = data.config();
    normal_config.sqlite_synchronous = config::SqliteSynchronous::normal;
    BenchHost host(dir, "http_normal", normal_config, n, deposit_minor);
    const config::DatabaseConfig database = host.database();
    std::vector<std::unique_ptr<HttpPairClient>> http;
    for (std::size_t i = 0; i < n; ++i) {
        http.push_back(std::make_unique<HttpPairClient>(host.port(), host.service_key, host.customers[i],
                                                        "http" + std::to_string(i)));
    }
    Side warm;
    std::size_t orders = 0;
    const std::size_t per_client = std::max<std::size_t>(1, counts.pairs / counts.rounds / n) * counts.rounds;
    if (!add(warm, run_flat_out(pointers(http), counts.warmup_pairs), "synchronous=NORMAL warm-up", &orders) ||
        !add(normal, run_flat_out(pointers(http), per_client), "synchronous=NORMAL run", &orders)) {
        return false;
    }
    host.stop();
    return !checks.audit || audit_database(database, orders, "the synchronous=NORMAL host's database", out);
}

}  // namespace

int run_http_bench(const std::filesystem::path& dir, Backend backend, const HttpBenchCounts& counts,
                   const HttpBenchChecks& checks, std::ostream& out) {
    Measured m;
    m.clients = counts.clients;
    m.sqlite = backend == Backend::sqlite3;
    if (!measure_full(dir, backend, counts, checks, m, out)) return 1;
    print_full_figures(m, out);
    if (!m.sqlite) {
        out << "# skipped on a server: http_purchase_cancel_sync_normal and the group commit note (SQLite's "
               "PRAGMA synchronous and one writer)\n"
            << std::flush;
        return 0;
    }
    if (!measure_sync_normal(dir, counts, checks, m.sync_normal, out)) return 1;
    print_group_commit(m, out);
    return 0;
}

}  // namespace billing::bench
