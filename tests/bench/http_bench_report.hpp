// What billing_http_bench measured, and the lines it prints from it (README.md, "Output").
#pragma once

#include <cstddef>
#include <ostream>

#include "load_driver.hpp"

namespace billing::bench {

// One side of a figure, summed over its rounds.
struct Side {
    double seconds = 0;
    std::size_t pairs = 0;

    [[nodiscard]] double requests_per_s() const { return seconds > 0 ? 2.0 * static_cast<double>(pairs) / seconds : 0; }
};

struct Measured {
    std::size_t clients = 0;
    bool sqlite = true;         // else a server: no writer-lock floor, no commit cap
    Side trivial, http, floor;  // flat out, alternating rounds, synchronous=FULL
    Side floor_locked;          // the floor with its threads queued on an in-process mutex
    Side sync_normal;           // the HTTP load on a synchronous=NORMAL host
    LoadRun http_paced, floor_paced, locked_paced;
    double offered_per_s = 0;  // the paced runs' offered load: half of http.requests_per_s()
    double commit_cap_per_s = 0;
};

// The RATIO, INFO and LATENCY lines of the synchronous=FULL host.
void print_full_figures(Measured& m, std::ostream& out);

// The synchronous=NORMAL INFO line and the "# group commit:" note computed from it.
void print_group_commit(const Measured& m, std::ostream& out);

}  // namespace billing::bench
