// A background thread that sweeps due timers every interval, until stopped.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "billing/core/clock.hpp"
#include "billing/engine/sweeper.hpp"

namespace billing {

struct SweeperRunnerOptions {
    std::int64_t interval_ms = 1000;
    std::int64_t lease_s = 30;
    std::size_t batch_max = 100;
    // A tick sweeps batch after batch while they come back full, at most this many.
    std::size_t batches_per_tick_max = 50;
};

class SweeperRunner {
public:
    // on_sweep (optional) sees every batch's stats, e.g. to log failures or count metrics.
    SweeperRunner(Sweeper& sweeper, const Clock& clock, SweeperRunnerOptions options,
                  std::function<void(const SweepStats&)> on_sweep = {});
    ~SweeperRunner();  // stops
    SweeperRunner(const SweeperRunner&) = delete;
    SweeperRunner& operator=(const SweeperRunner&) = delete;

    void start();  // no-op when running
    void stop();   // waits for the current batch to finish; no-op when stopped

private:
    void run();
    void tick();

    Sweeper& sweeper_;
    const Clock& clock_;
    SweeperRunnerOptions options_;
    std::function<void(const SweepStats&)> on_sweep_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace billing
