// Figure 2: auto-refunds/s of N due activations through the Sweeper (claim, then one engine
// transaction per timer that asks the policy) against raw floors doing the same refund writes
// in batches: per row in one transaction per batch, and set-based per batch. The faster floor
// is the one the ratio uses.
#pragma once

#include <cstddef>
#include <filesystem>

#include "bench_database.hpp"

namespace billing::bench {

struct RefundCounts {
    std::size_t orders = 100'000;
    std::size_t batch = 500;                  // sweeper claim batch_max and floor rows per transaction
    std::size_t sync_normal_orders = 20'000;  // the diagnostic run with synchronous=NORMAL
};

// Each side gets a fresh database of backend (SQLite files in dir). The synchronous=NORMAL line and
// the commit cap are SQLite's only; on a server a '#' line says so.
void run_refund_bench(const std::filesystem::path& dir, Backend backend, const RefundCounts& counts, bool audit);

}  // namespace billing::bench
