// billing_http_bench's figures: purchases and cancels over HTTP against the raw-transaction
// floor and the trivial-handler floor, latency at half the measured load, and the same HTTP
// load with synchronous=NORMAL as the ceiling of group commit. See README.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <ostream>

#include "bench_database.hpp"

namespace billing::bench {

struct HttpBenchCounts {
    std::size_t clients = 4;        // keep-alive connections, one thread each; the floor uses as many
    std::size_t pairs = 6'000;      // purchase + cancel pairs per side, split over rounds and clients
    std::size_t rounds = 5;         // trivial, HTTP and floor take turns, so load spikes hit all three
    std::size_t warmup_pairs = 20;  // per client and side, before the first round
    // Per client and round for the trivial handler: it answers ~100x faster than the host, so
    // the host's count would make a run of a few milliseconds.
    std::size_t trivial_pairs = 2'000;
    double paced_s = 10;  // length of each latency run
    std::size_t commit_cap_transactions = 2'000;
};

struct HttpBenchChecks {
    bool audit = false;  // run the ledger audit over both host databases at the end
};

// Prints the figures to out, the host and its floor on a fresh database of backend (SQLite files
// in dir). Returns the exit code: 0, or 1 when a request was answered with a non-2xx status (or
// not at all) or the audit found a violation.
int run_http_bench(const std::filesystem::path& dir, Backend backend, const HttpBenchCounts& counts,
                   const HttpBenchChecks& checks, std::ostream& out);

}  // namespace billing::bench
