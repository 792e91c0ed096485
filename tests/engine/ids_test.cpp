// Application-made ids (billing/core/ids.hpp): unique, fixed format, and in the order they were
// made within a process, which lists ordered by (created_at, id) rely on for records made in the
// same millisecond.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "billing/core/ids.hpp"

namespace billing::test {
namespace {

TEST(Ids, ArePrefixUnderscoreAnd32HexDigits) {
    const std::string id = new_id("ord");
    ASSERT_EQ(id.size(), 4U + 32U);
    EXPECT_EQ(id.substr(0, 4), "ord_");
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 4), std::string::npos) << id;
}

TEST(Ids, SortInTheOrderTheyWereMadeEvenWithinOneMillisecond) {
    std::string previous = new_id("trf");
    for (int i = 0; i < 200'000; ++i) {  // far more than one millisecond's worth
        std::string next = new_id("trf");
        ASSERT_LT(previous, next) << "id " << i;
        previous = std::move(next);
    }
}

TEST(Ids, AreUniqueAcrossThreads) {
    constexpr int threads = 4;
    constexpr int per_thread = 20'000;
    std::vector<std::vector<std::string>> made(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&made, t] {
            for (int i = 0; i < per_thread; ++i) made[static_cast<std::size_t>(t)].push_back(new_id("evt"));
        });
    }
    for (auto& w : workers) w.join();
    std::set<std::string> all;
    for (const auto& ids : made) all.insert(ids.begin(), ids.end());
    EXPECT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
}

}  // namespace
}  // namespace billing::test
