// billing_swap_bench: what hot-swapping the policy plugin while serving costs the requests in
// flight. One billing host in-process (BenchHost), one paced load of purchases and cancels
// (HttpPairClient, run_paced) at about half of what the host sustains flat out, in alternating
// rounds: steady (no swap) and swapping (an operator thread POSTs /admin/plugins/otpdesk/reload
// every 100 ms). The figure is p99 while swapping over p99 without swaps. See README.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <ostream>

namespace billing::bench {

struct SwapBenchOptions {
    std::size_t clients = 16;       // keep-alive connections, one thread and one customer each
    double rate = 0;                // offered requests/s; 0: half the flat-out rate measured first
    std::size_t rounds = 3;         // rounds of each kind: steady, swapping, steady, swapping, ...
    double round_s = 5;             // length of one round at the offered rate
    double probe_s = 3;             // length of the flat-out run that measures the host's rate
    std::size_t warmup_pairs = 10;  // per client, before anything is measured
    std::chrono::milliseconds swap_every{100};
    std::size_t refuse_every = 5;  // every n-th reload names a missing file and must be refused
};

// Prints the figures to out. Returns the exit code: 0, or 1 when a client request was not
// answered 2xx or a reload was not answered as expected (200 for the same file, 422 for the
// missing one).
int run_swap_bench(const std::filesystem::path& dir, const SwapBenchOptions& options, std::ostream& out);

}  // namespace billing::bench
