// Puts chosen writes into one group-commit batch (storage/database.hpp): each call runs on a
// thread of its own and is let into the queue only once the one before it is queued, all held by
// a Database::BatchPause, so the batch runs them in the order given. Every call must reach
// Database::write exactly once (a call that never writes would be waited for in vain: the wait
// gives up after 10 s with a test failure).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

#include "billing/storage/database.hpp"

namespace billing::test {

inline void run_in_one_batch(storage::Database& db, const std::vector<std::function<void()>>& calls) {
    std::vector<std::thread> threads;
    {
        const storage::Database::BatchPause pause(db);
        const std::size_t already = db.queued_writes();
        for (std::size_t i = 0; i < calls.size(); ++i) {
            threads.emplace_back(calls[i]);
            const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (db.queued_writes() < already + i + 1 && std::chrono::steady_clock::now() < give_up) {
                std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
            if (db.queued_writes() < already + i + 1) ADD_FAILURE() << "call " << i << " never queued a write";
        }
    }
    for (std::thread& thread : threads) thread.join();
}

}  // namespace billing::test
