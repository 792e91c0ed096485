// billing_http_bench's figures: purchases and cancels over HTTP at several client counts, each
// against the one-transaction-per-request floor, the batched floor (the same rows in batches of
// the host's mean batch size) and the trivial-handler floor; latency at half the measured load;
// the scaling from 1 to 32 clients; and the same HTTP load with synchronous=NORMAL. See README.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <ostream>
#include <vector>

#include "bench_database.hpp"

namespace billing::bench {

struct HttpBenchCounts {
    // Keep-alive connections, one thread each, measured one count after the other; each floor
    // uses as many threads.
    std::vector<std::size_t> client_counts = {1, 4, 16, 32};
    std::size_t pairs = 3'000;      // purchase + cancel pairs per side and count, split over rounds and clients
    std::size_t rounds = 5;         // the sides take turns, so load spikes hit all of them
    std::size_t warmup_pairs = 20;  // per client and side, before a count's first round
    // Per round over all clients for the trivial handler: it answers ~100x faster than the host,
    // so the host's count would make a run of a few milliseconds.
    std::size_t trivial_pairs = 4'000;
    double paced_s = 6;  // length of each latency run
    std::size_t commit_cap_transactions = 2'000;
};

struct HttpBenchChecks {
    bool audit = false;  // run the ledger audit over both host databases at the end
};

// Prints the figures to out, the host and its floors on a fresh database of backend (SQLite files
// in dir). Returns the exit code: 0, or 1 when a request was answered with a non-2xx status (or
// not at all) or the audit found a violation.
int run_http_bench(const std::filesystem::path& dir, Backend backend, const HttpBenchCounts& counts,
                   const HttpBenchChecks& checks, std::ostream& out);

}  // namespace billing::bench
