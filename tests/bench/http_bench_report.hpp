// What billing_http_bench measured, and the lines it prints from it (README.md, "Output").
#pragma once

#include <cstddef>
#include <ostream>
#include <vector>

#include "host_write_stats.hpp"
#include "load_driver.hpp"

namespace billing::bench {

// One side of a figure, summed over its rounds.
struct Side {
    double seconds = 0;
    std::size_t pairs = 0;

    [[nodiscard]] double requests_per_s() const { return seconds > 0 ? 2.0 * static_cast<double>(pairs) / seconds : 0; }
};

// Everything measured at one client count.
struct CountFigures {
    std::size_t clients = 0;
    Side trivial, http, floor, batched;    // flat out, alternating rounds
    HostWriteStats host;                   // the host's group-commit counters over its rounds
    std::vector<std::size_t> batch_sizes;  // the batched floor's requests per transaction, per round
    LoadRun http_paced;                    // at offered_per_s, half of http.requests_per_s()
    double offered_per_s = 0;
    Side sync_normal;  // SQLite: the same HTTP load on a synchronous=NORMAL host
    HostWriteStats sync_normal_host;
};

struct Measured {
    bool sqlite = true;  // else a server: no synchronous=NORMAL host, no commit cap
    std::vector<CountFigures> counts;
    double commit_cap_per_s = 0;
};

// The RATIO, INFO and LATENCY lines of one client count on the synchronous=FULL host.
void print_count_figures(CountFigures& c, bool sqlite, std::ostream& out);

// RATIO http_scaling (when 1 and 32 clients were measured) and, on SQLite, the commit cap and
// the synchronous=NORMAL lines.
void print_sweep_figures(const Measured& m, std::ostream& out);

}  // namespace billing::bench
