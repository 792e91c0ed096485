// Where the host's "now" comes from. Policies never read a clock: the host passes now in.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace billing {

using UtcMs = std::int64_t;  // UTC milliseconds since the Unix epoch, as in the SDK

class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual UtcMs now_ms() const = 0;
};

class SystemClock final : public Clock {
public:
    [[nodiscard]] UtcMs now_ms() const override {
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    }
};

// A clock that moves only when told: tests, and the base of tenants' test clocks.
class ManualClock final : public Clock {
public:
    explicit ManualClock(UtcMs start_ms) : now_ms_(start_ms) {}
    [[nodiscard]] UtcMs now_ms() const override { return now_ms_.load(); }
    void set(UtcMs ms) { now_ms_.store(ms); }
    void advance(std::int64_t delta_ms) { now_ms_.fetch_add(delta_ms); }

private:
    std::atomic<UtcMs> now_ms_;
};

}  // namespace billing
