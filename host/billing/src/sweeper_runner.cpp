#include "billing/engine/sweeper_runner.hpp"

#include <chrono>

namespace billing {

SweeperRunner::SweeperRunner(Sweeper& sweeper, const Clock& clock, SweeperRunnerOptions options,
                             std::function<void(const SweepStats&)> on_sweep)
    : sweeper_(sweeper), clock_(clock), options_(options), on_sweep_(std::move(on_sweep)) {}

SweeperRunner::~SweeperRunner() { stop(); }

void SweeperRunner::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) {
        return;
    }
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void SweeperRunner::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void SweeperRunner::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        tick();
        lock.lock();
        wake_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms), [this] { return stopping_; });
    }
}

void SweeperRunner::tick() {
    // A full batch means more may be due (after downtime, many): keep going, within a bound so
    // that stop() is never kept waiting long. A failed timer does not end the tick: its lease
    // keeps it out of the next batches, and the backlog behind it must still drain.
    for (std::size_t i = 0; i < options_.batches_per_tick_max; ++i) {
        const SweepStats stats = sweeper_.sweep_once(clock_.now_ms(), options_.lease_s, options_.batch_max);
        if (on_sweep_) {
            on_sweep_(stats);
        }
        if (stats.claimed < options_.batch_max) {
            return;
        }
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return;
        }
    }
}

}  // namespace billing
