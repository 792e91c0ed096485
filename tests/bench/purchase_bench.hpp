// Figure 1: purchases/s through Engine::purchase against a raw SOCI floor that writes the same
// rows in one BEGIN IMMEDIATE transaction with prepared statements, same file, same durability.
#pragma once

#include <cstddef>
#include <filesystem>

namespace billing::bench {

struct PurchaseCounts {
    std::size_t purchases = 20'000;  // per side (engine, floor), split over the rounds
    std::size_t rounds = 5;          // engine and floor alternate, so both see the same machine load
    std::size_t warmup = 200;
};

// Prints the RATIO lines of purchase_vs_raw_tx (1 and 2 engine threads) and the purchase
// latency line.
void run_purchase_bench(const std::filesystem::path& dir, const PurchaseCounts& counts, bool audit);

}  // namespace billing::bench
