#include "http_bench_report.hpp"

#include <string>

#include "bench_env.hpp"

namespace billing::bench {

namespace {

// The targets, printed on the line of the client count they are set for.
constexpr std::size_t target_clients = 16;
constexpr std::size_t trivial_target_clients = 32;
constexpr double sqlite_floor_target = 3.0, server_floor_target = 1.5, batched_target = 0.6;
constexpr double trivial_aim = 0.25, scaling_target = 3.0;
constexpr std::int64_t sqlite_p99_target_us = 5'000;

std::string batch_sizes(const std::vector<std::size_t>& sizes) {
    std::string text;
    for (const std::size_t k : sizes) {
        if (!text.empty()) text += ',';
        text += std::to_string(k);
    }
    return text.empty() ? "-" : text;
}

void latency_line(const char* name, std::vector<std::int64_t>& samples, const CountFigures& c, bool sqlite,
                  std::ostream& out) {
    out << "LATENCY name=" << name << " clients=" << c.clients << " p50_us=" << quantile(samples, 0.50)
        << " p99_us=" << quantile(samples, 0.99) << " max_us=" << quantile(samples, 1.0);
    if (sqlite) out << " target_p99_us=" << sqlite_p99_target_us;
    out << " offered_per_s=" << fixed(c.offered_per_s, 1)
        << " achieved_per_s=" << fixed(c.http_paced.requests_per_s(), 1) << " samples=" << samples.size() << '\n';
}

}  // namespace

void print_count_figures(CountFigures& c, bool sqlite, std::ostream& out) {
    const double http = c.http.requests_per_s();
    const double floor = c.floor.requests_per_s();
    const double batched = c.batched.requests_per_s();
    const double trivial = c.trivial.requests_per_s();
    const bool at_target = c.clients == target_clients;
    out << "RATIO name=http_vs_raw_tx clients=" << c.clients << " value=" << fixed(http / floor, 3);
    if (at_target) out << " target=" << fixed(sqlite ? sqlite_floor_target : server_floor_target, 1);
    out << " http_per_s=" << fixed(http, 1) << " floor_per_s=" << fixed(floor, 1) << " requests=" << 2 * c.http.pairs
        << '\n';
    out << "RATIO name=http_vs_batched_raw_tx clients=" << c.clients << " value=" << fixed(http / batched, 3);
    if (at_target) out << " target=" << fixed(batched_target, 1);
    out << " http_per_s=" << fixed(http, 1) << " batched_floor_per_s=" << fixed(batched, 1)
        << " batch_size=" << (c.batch_sizes.empty() ? 0 : c.batch_sizes.back())
        << " batch_size_per_round=" << batch_sizes(c.batch_sizes) << '\n';
    out << "INFO name=http_vs_trivial_handler clients=" << c.clients << " value=" << fixed(http / trivial, 3);
    if (c.clients == trivial_target_clients) out << " aim=" << fixed(trivial_aim, 2);
    out << " http_per_s=" << fixed(http, 1) << " trivial_per_s=" << fixed(trivial, 1)
        << " http_us_per_request=" << fixed(1e6 / http, 1) << " trivial_us_per_request=" << fixed(1e6 / trivial, 1)
        << '\n';
    const HostWriteStats& s = c.host;
    out << "INFO name=host_batches clients=" << c.clients << " mean_batch_size=" << fixed(s.mean_batch_size(), 2)
        << " writes_per_commit=" << fixed(s.writes_per_commit(), 2) << " batches=" << s.batches
        << " batched_writes=" << s.batched_writes << " writes_alone=" << s.writes_alone
        << " batches_failed=" << s.batches_failed << '\n';
    latency_line("http_purchase", c.http_paced.purchase_us, c, sqlite, out);
    latency_line("http_cancel", c.http_paced.cancel_us, c, sqlite, out);
    out << std::flush;
}

void print_sweep_figures(const Measured& m, std::ostream& out) {
    const CountFigures *one = nullptr, *many = nullptr;
    for (const CountFigures& c : m.counts) {
        if (c.clients == 1) one = &c;
        if (c.clients == 32) many = &c;
    }
    if (one != nullptr && many != nullptr) {
        const double per_s_1 = one->http.requests_per_s();
        const double per_s_32 = many->http.requests_per_s();
        out << "RATIO name=http_scaling value=" << fixed(per_s_32 / per_s_1, 3)
            << " target=" << fixed(scaling_target, 1) << " per_s_1=" << fixed(per_s_1, 1)
            << " per_s_32=" << fixed(per_s_32, 1) << " floor_per_s_1=" << fixed(one->floor.requests_per_s(), 1)
            << " floor_per_s_32=" << fixed(many->floor.requests_per_s(), 1) << '\n';
    } else {
        out << "# skipped: http_scaling (needs both 1 and 32 clients in the run)\n";
    }
    if (!m.sqlite) {
        out << "# skipped on a server: commit_cap and http_sync_normal (SQLite's one writer and its PRAGMA "
               "synchronous)\n"
            << std::flush;
        return;
    }
    out << "INFO name=commit_cap per_s=" << fixed(m.commit_cap_per_s, 1) << '\n';
    for (const CountFigures& c : m.counts) {
        const double full = c.http.requests_per_s();
        const double normal = c.sync_normal.requests_per_s();
        out << "INFO name=http_sync_normal clients=" << c.clients << " per_s=" << fixed(normal, 1)
            << " full_per_s=" << fixed(full, 1) << " value=" << fixed(normal / full, 3)
            << " mean_batch_size=" << fixed(c.sync_normal_host.mean_batch_size(), 2)
            << " writes_per_commit=" << fixed(c.sync_normal_host.writes_per_commit(), 2)
            << " requests=" << 2 * c.sync_normal.pairs << '\n';
    }
    out << std::flush;
}

}  // namespace billing::bench
