// Identifiers made by the application, not by the database: unique across several hosts on one
// database, and the same on every backend (no autoincrement dialects).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace billing {

// "<prefix>_" followed by 32 hex digits, e.g. "ord_0193a1b2c3d40000f3c9...":
//   12 digits  the wall-clock millisecond it was made (48 bits, good until the year 10889),
//    4 digits  a sequence within that millisecond in this process,
//   16 digits  64 random bits (ids of several hosts never collide).
// Within one process ids therefore sort in the order they were made (the sequence carries on
// past the millisecond if the clock stands still or steps back), so that lists ordered by
// (created_at, id) are stable for records made in the same millisecond; across hosts they sort
// by time up to the hosts' clock difference.
inline std::string new_id(std::string_view prefix) {
    thread_local std::mt19937_64 rng = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    static std::mutex mutex;
    static std::uint64_t last_ms = 0;
    static std::uint64_t sequence = 0;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto now_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
    std::uint64_t ms = 0;
    std::uint64_t seq = 0;
    {
        std::lock_guard lock(mutex);
        if (now_ms > last_ms) {
            last_ms = now_ms;
            sequence = 0;
        } else if (++sequence > 0xFFFF) {
            ++last_ms;  // 65,536 ids in one millisecond: borrow the next one
            sequence = 0;
        }
        ms = last_ms;
        seq = sequence;
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(prefix);
    id += '_';
    const auto put = [&id](std::uint64_t bits, int digits) {
        for (int i = digits - 1; i >= 0; --i) id += hex[(bits >> (4 * i)) & 0xFU];
    };
    put(ms, 12);
    put(seq, 4);
    put(rng(), 16);
    return id;
}

}  // namespace billing
