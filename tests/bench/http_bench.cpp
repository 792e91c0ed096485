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
#include "host_write_stats.hpp"
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

// The synchronous=FULL host (or the server's) and what its floors share, over the whole sweep.
// Customers: the HTTP clients' (and the trivial clients', who never reach the host), the
// floor's, then the batched floor's, max_clients each; the template's is the last. A count's
// client i takes customer i of each kind: the counts run one after the other.
struct FullRig {
    BenchHost& host;
    const PairShape& shape;
    std::string escrow;
    std::uint16_t trivial_port = 0;
    std::size_t max_clients = 0;
    // SQLite only: both floors' transactions queue on it, as the host's writers queue in the
    // process (storage::Database): the best one writer can do, without SQLite's busy-handler
    // sleeps. A server's writers run concurrently.
    std::mutex* writer_lock = nullptr;
    std::size_t orders = 1;  // in the host's database: the template's, then every pair's
};

// "c<n>-<i>": client i of the count n, in its idempotency keys.
std::string count_tag(std::size_t n, std::size_t i) {
    std::string tag = "c";  // appended, not added: GCC 12 warns falsely on "literal" + std::string
    tag += std::to_string(n);
    tag += '-';
    tag += std::to_string(i);
    return tag;
}

// The clients of one count, one of each kind per client thread. Idempotency keys carry the
// count, so that the next count's clients do not replay this one's.
struct CountClients {
    std::vector<std::unique_ptr<HttpPairClient>> http, trivial;
    std::vector<std::unique_ptr<RawPairFloor>> floor, batched;

    CountClients(FullRig& rig, std::size_t n) {
        const config::DatabaseConfig& database = rig.host.database();
        const std::vector<std::string>& customers = rig.host.customers;
        const std::size_t m = rig.max_clients;
        for (std::size_t i = 0; i < n; ++i) {
            const std::string tag = count_tag(n, i);
            const std::string& key = rig.host.service_key;
            http.push_back(std::make_unique<HttpPairClient>(rig.host.port(), key, customers[i], "http" + tag));
            trivial.push_back(std::make_unique<HttpPairClient>(rig.trivial_port, key, customers[i], "trivial" + tag));
            const FloorAccounts one{rig.host.tenant_id, rig.escrow, customers[m + i]};
            floor.push_back(std::make_unique<RawPairFloor>(database, rig.shape, one, "floor" + tag, rig.writer_lock));
            const FloorAccounts many{rig.host.tenant_id, rig.escrow, customers[2 * m + i]};
            batched.push_back(
                std::make_unique<RawPairFloor>(database, rig.shape, many, "batched" + tag, rig.writer_lock));
        }
    }

    void set_batch_size(std::size_t k) {
        for (const auto& b : batched) b->set_batch_size(k);
    }
};

// The batched floor's requests per transaction: the host's mean batch size (a lone write is a
// batch of one), rounded, at least 1.
std::size_t batch_size_of(const HostWriteStats& host) {
    return static_cast<std::size_t>(std::max(1.0, std::round(host.mean_batch_size())));
}

// The host's flat-out run, with its group-commit counters added to *stats.
LoadRun run_host(CountClients& c, std::size_t pairs_per_client, HostWriteStats& stats) {
    const HostWriteStats before = read_write_stats(*c.http.front());
    LoadRun run = run_flat_out(pointers(c.http), pairs_per_client);
    if (run.failures == 0) stats += read_write_stats(*c.http.front()) - before;
    return run;
}

// The warm-up, then the rounds in which the trivial handler, the host and both floors take
// turns; the batched floor writes batches of the host's mean size so far at this count.
bool run_rounds(FullRig& rig, CountClients& c, const HttpBenchCounts& counts, CountFigures& f) {
    const std::size_t n = c.http.size();
    Side warm;
    HostWriteStats warm_host;
    if (!add(warm, run_flat_out(pointers(c.trivial), counts.warmup_pairs), "trivial warm-up") ||
        !add(warm, run_host(c, counts.warmup_pairs, warm_host), "HTTP warm-up", &rig.orders)) {
        return false;
    }
    c.set_batch_size(batch_size_of(warm_host));
    if (!add(warm, run_flat_out(pointers(c.floor), counts.warmup_pairs), "floor warm-up", &rig.orders) ||
        !add(warm, run_flat_out(pointers(c.batched), counts.warmup_pairs), "batched floor warm-up", &rig.orders)) {
        return false;
    }
    const std::size_t per_client = std::max<std::size_t>(1, counts.pairs / counts.rounds / n);
    const std::size_t trivial_per_client = std::max<std::size_t>(1, counts.trivial_pairs / n);
    for (std::size_t round = 1; round <= counts.rounds; ++round) {
        const std::string r = " round " + std::to_string(round) + " at " + std::to_string(n) + " clients";
        if (!add(f.trivial, run_flat_out(pointers(c.trivial), trivial_per_client), "trivial" + r) ||
            !add(f.http, run_host(c, per_client, f.host), "HTTP" + r, &rig.orders) ||
            !add(f.floor, run_flat_out(pointers(c.floor), per_client), "floor" + r, &rig.orders)) {
            return false;
        }
        f.batch_sizes.push_back(batch_size_of(f.host));
        c.set_batch_size(f.batch_sizes.back());
        if (!add(f.batched, run_flat_out(pointers(c.batched), per_client), "batched floor" + r, &rig.orders)) {
            return false;
        }
    }
    return true;
}

// Half the host's measured maximum at this count, offered to the host.
bool run_half_load(FullRig& rig, CountClients& c, const HttpBenchCounts& counts, CountFigures& f) {
    f.offered_per_s = f.http.requests_per_s() / 2;
    const auto n = static_cast<double>(c.http.size());
    const auto pairs = static_cast<std::size_t>(std::max(1.0, std::round(counts.paced_s * f.offered_per_s / 2 / n)));
    f.http_paced = run_paced(pointers(c.http), pairs, f.offered_per_s);
    Side paced;
    return add(paced, f.http_paced, "HTTP at half load", &rig.orders);
}

// Everything measured on the synchronous=FULL host, count after count (printed as each count
// ends), then the commit cap.
bool measure_full(const std::filesystem::path& dir, Backend backend, const HttpBenchCounts& counts,
                  const HttpBenchChecks& checks, Measured& m, std::ostream& out) {
    const std::size_t max_clients = *std::max_element(counts.client_counts.begin(), counts.client_counts.end());
    const BenchDatabase data(backend, dir, "http_full");
    BenchHost host(dir, "http_full", data.config(), 3 * max_clients + 1, deposit_minor);
    const config::DatabaseConfig database = host.database();
    auto floor_db = must(storage::Database::open(storage::DatabaseOptions::from(database)),
                         "opening a second connection to " + database.url);
    const PairShape shape = template_shape(host, *floor_db);
    const TrivialServer trivial_server;
    std::mutex writer_lock;
    FullRig rig{
        .host = host,
        .shape = shape,
        .escrow = must(floor_db->read([&](soci::session& sql) { return ledger::system_accounts(sql, host.tenant_id); }),
                       "the tenant's system accounts")
                      .escrow,
        .trivial_port = trivial_server.port(),
        .max_clients = max_clients,
        .writer_lock = m.sqlite ? &writer_lock : nullptr};
    for (const std::size_t n : counts.client_counts) {
        CountFigures& f = m.counts.emplace_back();
        f.clients = n;
        CountClients clients(rig, n);
        if (!run_rounds(rig, clients, counts, f) || !run_half_load(rig, clients, counts, f)) return false;
        print_count_figures(f, m.sqlite, out);
    }
    if (m.sqlite) {
        const BenchDatabase cap_data(Backend::sqlite3, dir, "commit_cap");
        BenchDb cap(cap_data, 0);
        m.commit_cap_per_s = commit_cap_per_s(cap, counts.commit_cap_transactions);
    }
    floor_db.reset();  // its connection closes before the server database is dropped
    host.stop();
    const char* name = m.sqlite ? "the synchronous=FULL host's database" : "the host's database";
    return !checks.audit || audit_database(database, rig.orders, name, out);
}

// The same HTTP load, count after count, once more on a synchronous=NORMAL host: commits
// without an fsync, so what is left is the host's own work per request.
bool measure_sync_normal(const std::filesystem::path& dir, const HttpBenchCounts& counts, const HttpBenchChecks& checks,
                         Measured& m, std::ostream& out) {
    const BenchDatabase data(Backend::sqlite3, dir, "http_normal");
    config::DatabaseConfig normal_config = data.config();
    normal_config.sqlite_synchronous = config::SqliteSynchronous::normal;
    const std::size_t max_clients = *std::max_element(counts.client_counts.begin(), counts.client_counts.end());
    BenchHost host(dir, "http_normal", normal_config, max_clients, deposit_minor);
    const config::DatabaseConfig database = host.database();
    std::size_t orders = 0;
    for (CountFigures& f : m.counts) {
        std::vector<std::unique_ptr<HttpPairClient>> http;
        for (std::size_t i = 0; i < f.clients; ++i) {
            http.push_back(std::make_unique<HttpPairClient>(host.port(), host.service_key, host.customers[i],
                                                            "http" + count_tag(f.clients, i)));
        }
        Side warm;
        const std::size_t per_client = std::max<std::size_t>(1, counts.pairs / f.clients);
        if (!add(warm, run_flat_out(pointers(http), counts.warmup_pairs), "synchronous=NORMAL warm-up", &orders)) {
            return false;
        }
        const HostWriteStats before = read_write_stats(*http.front());
        if (!add(f.sync_normal, run_flat_out(pointers(http), per_client), "synchronous=NORMAL run", &orders)) {
            return false;
        }
        f.sync_normal_host = read_write_stats(*http.front()) - before;
    }
    host.stop();
    return !checks.audit || audit_database(database, orders, "the synchronous=NORMAL host's database", out);
}

}  // namespace

int run_http_bench(const std::filesystem::path& dir, Backend backend, const HttpBenchCounts& counts,
                   const HttpBenchChecks& checks, std::ostream& out) {
    Measured m;
    m.sqlite = backend == Backend::sqlite3;
    if (!measure_full(dir, backend, counts, checks, m, out)) return 1;
    if (m.sqlite && !measure_sync_normal(dir, counts, checks, m, out)) return 1;
    print_sweep_figures(m, out);
    return 0;
}

}  // namespace billing::bench
