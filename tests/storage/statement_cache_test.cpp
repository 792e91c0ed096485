// The prepared statements of a pooled session at their bound: a text past it evicts the one
// used least recently, which is prepared again when next run and reads what it should; the
// other statements stay prepared.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "billing/storage/statement_cache.hpp"
#include "fresh_database.hpp"

namespace billing::storage {
namespace {

// "SELECT n": reads n; counts how many statements of its kind were prepared.
class SelectNumber : public CachedStatement {
public:
    static inline std::size_t prepared_count = 0;

    SelectNumber(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::into(value_)));
        ++prepared_count;
    }
    long long read() { return fetch_one() ? value_ : -1; }

private:
    long long value_ = -1;
};

long long select_number(soci::session& sql, std::size_t n) {
    return Prepared<SelectNumber>(sql, "SELECT " + std::to_string(n))->read();
}

using StatementCacheBound = test_context::FreshDatabase;

TEST_F(StatementCacheBound, ATextPastTheBoundEvictsTheLeastRecentlyUsedOnlyAndItIsPreparedAgain) {
    constexpr std::size_t bound = StatementCache::statements_max;
    SelectNumber::prepared_count = 0;
    // One read: the statements are the one leased session's, and nothing else runs between them.
    auto checked = db_->read([&](soci::session& sql) -> Result<Unit> {
        for (std::size_t n = 0; n <= bound; ++n) EXPECT_EQ(static_cast<long long>(n), select_number(sql, n));
        EXPECT_EQ(bound + 1, SelectNumber::prepared_count);

        // The first text was evicted by the one past the bound: prepared again, it reads its
        // own number, and evicts the next least recently used (the second).
        EXPECT_EQ(0, select_number(sql, 0));
        EXPECT_EQ(bound + 2, SelectNumber::prepared_count);

        // Every other text is still prepared.
        for (std::size_t n = 2; n <= bound; ++n) EXPECT_EQ(static_cast<long long>(n), select_number(sql, n));
        EXPECT_EQ(bound + 2, SelectNumber::prepared_count);
        return Unit{};
    });
    ASSERT_TRUE(checked.ok()) << checked.error().message;
}

}  // namespace
}  // namespace billing::storage
