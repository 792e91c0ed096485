// Identifiers made by the application, not by the database: unique across several hosts on one
// database, and the same on every backend (no autoincrement dialects).
#pragma once

#include <random>
#include <string>
#include <string_view>

namespace billing {

// "<prefix>_" followed by 32 hex digits (128 random bits), e.g. "ord_3f9c...".
inline std::string new_id(std::string_view prefix) {
    thread_local std::mt19937_64 rng = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(prefix);
    id += '_';
    for (int half = 0; half < 2; ++half) {
        std::uint64_t bits = rng();
        for (int i = 0; i < 16; ++i) {
            id += hex[bits & 0xFU];
            bits >>= 4U;
        }
    }
    return id;
}

}  // namespace billing
