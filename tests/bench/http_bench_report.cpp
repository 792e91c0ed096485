#include "http_bench_report.hpp"

#include "bench_env.hpp"

namespace billing::bench {

namespace {

void latency_line(const char* name, std::vector<std::int64_t>& http, std::vector<std::int64_t>& floor,
                  const Measured& m, const LoadRun& paced, std::ostream& out) {
    out << "LATENCY name=" << name << " p50_us=" << quantile(http, 0.50) << " p99_us=" << quantile(http, 0.99)
        << " max_us=" << quantile(http, 1.0) << " floor_p50_us=" << quantile(floor, 0.50)
        << " floor_p99_us=" << quantile(floor, 0.99) << " offered_per_s=" << fixed(m.offered_per_s, 1)
        << " achieved_per_s=" << fixed(paced.requests_per_s(), 1) << " clients=" << m.clients
        << " samples=" << http.size() << '\n';
}

// SQLite's busy handler sleeps 1, 2, 5, 10, ... ms between tries for the writer lock, so a
// waiting writer may sleep on after the lock is free; a mutex wakes the next one at once.
void print_writer_lock(Measured& m, std::ostream& out) {
    const double floor = m.floor.requests_per_s();
    const double locked = m.floor_locked.requests_per_s();
    out << "INFO name=raw_tx_in_process_writer_lock value=" << fixed(locked / floor, 3)
        << " locked_per_s=" << fixed(locked, 1) << " floor_per_s=" << fixed(floor, 1)
        << " locked_p99_us=" << quantile(m.locked_paced.purchase_us, 0.99)
        << " floor_p99_us=" << quantile(m.floor_paced.purchase_us, 0.99)
        << " locked_max_us=" << quantile(m.locked_paced.purchase_us, 1.0)
        << " floor_max_us=" << quantile(m.floor_paced.purchase_us, 1.0) << " clients=" << m.clients << '\n';
}

}  // namespace

void print_full_figures(Measured& m, std::ostream& out) {
    const double http = m.http.requests_per_s();
    const double floor = m.floor.requests_per_s();
    const double trivial = m.trivial.requests_per_s();
    out << "RATIO name=http_purchase_cancel_vs_raw_tx value=" << fixed(http / floor, 3)
        << " target=0.8 http_per_s=" << fixed(http, 1) << " floor_per_s=" << fixed(floor, 1) << " clients=" << m.clients
        << " requests=" << 2 * m.http.pairs;
    if (m.sqlite) out << " commit_cap_per_s=" << fixed(m.commit_cap_per_s, 1);
    out << '\n';
    out << "INFO name=http_vs_trivial_handler value=" << fixed(http / trivial, 3) << " http_per_s=" << fixed(http, 1)
        << " trivial_per_s=" << fixed(trivial, 1) << " http_us_per_request=" << fixed(1e6 / http, 1)
        << " trivial_us_per_request=" << fixed(1e6 / trivial, 1) << " clients=" << m.clients << '\n';
    if (!m.sqlite) {
        out << "# skipped on a server: commit_cap_per_s and raw_tx_in_process_writer_lock (about SQLite's one "
               "writer; a server's writers run concurrently and the host takes no writer turn)\n";
    } else {
        print_writer_lock(m, out);
    }
    latency_line("http_purchase", m.http_paced.purchase_us, m.floor_paced.purchase_us, m, m.http_paced, out);
    latency_line("http_cancel", m.http_paced.cancel_us, m.floor_paced.cancel_us, m, m.http_paced, out);
    out << std::flush;
}

void print_group_commit(const Measured& m, std::ostream& out) {
    const double full = m.http.requests_per_s();
    const double normal = m.sync_normal.requests_per_s();
    out << "INFO name=http_purchase_cancel_sync_normal per_s=" << fixed(normal, 1) << " full_per_s=" << fixed(full, 1)
        << " value=" << fixed(normal / full, 3) << " clients=" << m.clients << " requests=" << 2 * m.sync_normal.pairs
        << '\n';
    // Requests are serialised on SQLite's one writer, so 1/rate is each request's share of
    // the server's time: with FULL it includes the commit's fsync, with NORMAL it does not.
    const double full_us = 1e6 / full;
    const double normal_us = 1e6 / normal;
    const double fsync_us = full_us - normal_us;
    if (fsync_us <= 0) {
        out << "# group commit: no fsync cost visible (the NORMAL run was not faster): nothing to gain here\n"
            << std::flush;
        return;
    }
    const auto k = static_cast<double>(m.clients);
    const double shared = 1e6 / (normal_us + fsync_us / k);
    out << "# group commit: a request takes " << fixed(full_us, 1) << " us of the writer now, " << fixed(normal_us, 1)
        << " us without its fsync (synchronous=normal), so the fsync is " << fixed(fsync_us, 1)
        << " us of it (a bare one-row commit: " << fixed(1e6 / m.commit_cap_per_s, 1)
        << " us, commit_cap_per_s=" << fixed(m.commit_cap_per_s, 1) << "). One fsync shared by the " << m.clients
        << " requests in flight would give ~" << fixed(shared, 1) << "/s (" << fixed(shared / full, 2)
        << "x now); no batch gets past the NORMAL figure, " << fixed(normal, 1) << "/s (" << fixed(normal / full, 2)
        << "x now)\n"
        << std::flush;
}

}  // namespace billing::bench
