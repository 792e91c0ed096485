// The crash driver's clock: simulated UTC that runs `scale` times faster than CLOCK_MONOTONIC,
// counted from an epoch the test fixes once. CLOCK_MONOTONIC is one clock for every process on
// the machine, so every restarted driver continues the same timeline: time never goes back
// across a kill, and 20-minute timers fall due within a fraction of a real second.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>

#include "billing/core/clock.hpp"

namespace billing::crash {

inline std::int64_t monotonic_ns() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

class ScaledClock final : public Clock {
public:
    ScaledClock(UtcMs t0_ms, std::int64_t epoch_ns, std::int64_t scale)
        : t0_ms_(t0_ms), epoch_ns_(epoch_ns), scale_(scale) {}

    [[nodiscard]] UtcMs now_ms() const override {
        // elapsed_ns * scale stays far below 2^63 for any run the test makes (minutes * 10^4).
        return t0_ms_ + jump_ms_.load() + (monotonic_ns() - epoch_ns_) * scale_ / 1'000'000;
    }

    // Moves simulated time forward at once (drain mode: past every timer there is).
    void jump(std::int64_t delta_ms) { jump_ms_.fetch_add(delta_ms); }

private:
    UtcMs t0_ms_;
    std::int64_t epoch_ns_;
    std::int64_t scale_;
    std::atomic<std::int64_t> jump_ms_{0};
};

}  // namespace billing::crash
