// The bounded cache behind every host cache: at the bound it evicts exactly one entry, the one
// used least recently, and a lookup counts as a use.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "billing/core/lru_cache.hpp"

namespace {

using billing::LruCache;

// A cache of capacity 3 holding a, b, c, put in that order (a is the least recently used).
LruCache<std::string, int> full_of_abc() {
    LruCache<std::string, int> cache(3);
    cache.put("a", 1);
    cache.put("b", 2);
    cache.put("c", 3);
    return cache;
}

TEST(LruCache, HoldsExactlyCapacityEntriesWithoutEvicting) {
    LruCache<std::string, int> cache = full_of_abc();
    EXPECT_EQ(cache.size(), 3U);
    ASSERT_NE(cache.find("a"), nullptr);
    EXPECT_EQ(*cache.find("a"), 1);
    EXPECT_EQ(*cache.find("b"), 2);
    EXPECT_EQ(*cache.find("c"), 3);
}

TEST(LruCache, TheEntryPastTheBoundEvictsOnlyTheLeastRecentlyUsed) {
    LruCache<std::string, int> cache = full_of_abc();
    cache.put("d", 4);
    EXPECT_EQ(cache.size(), 3U);
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_TRUE(cache.contains("b"));
    EXPECT_TRUE(cache.contains("c"));
    EXPECT_TRUE(cache.contains("d"));
}

TEST(LruCache, ALookupMakesAnEntryTheMostRecentlyUsed) {
    LruCache<std::string, int> cache = full_of_abc();
    ASSERT_NE(cache.find("a"), nullptr);  // b is now the least recently used
    cache.put("d", 4);
    EXPECT_TRUE(cache.contains("a"));
    EXPECT_FALSE(cache.contains("b"));
    cache.put("e", 5);  // then c
    EXPECT_FALSE(cache.contains("c"));
    EXPECT_TRUE(cache.contains("a"));
    EXPECT_EQ(cache.size(), 3U);
}

TEST(LruCache, ReplacingAKeyAtTheBoundEvictsNothing) {
    LruCache<std::string, int> cache = full_of_abc();
    cache.put("a", 10);  // a is now the most recently used; b the least
    EXPECT_EQ(cache.size(), 3U);
    EXPECT_EQ(*cache.find("a"), 10);
    cache.put("d", 4);
    EXPECT_FALSE(cache.contains("b"));
    EXPECT_TRUE(cache.contains("a"));
    EXPECT_TRUE(cache.contains("c"));
}

TEST(LruCache, ErasedEntriesFreeTheirPlace) {
    LruCache<std::string, int> cache = full_of_abc();
    EXPECT_TRUE(cache.erase("b"));
    EXPECT_FALSE(cache.erase("b"));
    cache.put("d", 4);  // fits: nothing evicted
    EXPECT_TRUE(cache.contains("a"));
    EXPECT_TRUE(cache.contains("c"));
    cache.erase_if([](const std::string&, int value) { return value % 2 == 1; });  // a and c
    EXPECT_EQ(cache.size(), 1U);
    EXPECT_TRUE(cache.contains("d"));
}

TEST(LruCache, IteratesMostRecentlyUsedFirstWithoutCountingItAsAUse) {
    LruCache<std::string, int> cache = full_of_abc();
    ASSERT_NE(cache.find("b"), nullptr);
    std::string order;
    for (const auto& [key, value] : cache) order += key;
    EXPECT_EQ(order, "bca");
    cache.put("d", 4);
    EXPECT_FALSE(cache.contains("a"));  // still the least recently used after the iteration
}

TEST(LruCache, AnEvictedSharedValueLivesWhileSomeoneHoldsIt) {
    LruCache<int, std::shared_ptr<std::string>> cache(1);
    std::shared_ptr<std::string> held = cache.put(1, std::make_shared<std::string>("in use"));
    cache.put(2, std::make_shared<std::string>("newer"));
    EXPECT_FALSE(cache.contains(1));
    EXPECT_EQ(*held, "in use");
    EXPECT_EQ(held.use_count(), 1);
}

TEST(LruCache, AMovedCacheKeepsItsOrderAndIndex) {
    LruCache<std::string, int> moved = full_of_abc();
    LruCache<std::string, int> cache(std::move(moved));
    cache.put("d", 4);
    EXPECT_FALSE(cache.contains("a"));
    EXPECT_EQ(*cache.find("b"), 2);
}

}  // namespace
