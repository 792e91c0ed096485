// What only the SQLite backend has: its journal mode and sync level.
#include <gtest/gtest.h>

#include "backend_context.hpp"
#include "billing/storage/database.hpp"

namespace billing::storage {
namespace {

TEST(SqliteOnly, SqliteRunsInWalModeWithFullSync) {
    const DatabaseOptions options = test_context::fresh_database("wal");
    auto opened = Database::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    auto& db = *opened.value();
    auto mode = db.read([](soci::session& sql) -> Result<std::string> {
        std::string journal;
        int synchronous = -1;
        sql << "PRAGMA journal_mode", soci::into(journal);
        sql << "PRAGMA synchronous", soci::into(synchronous);
        return journal + "/" + std::to_string(synchronous);
    });
    ASSERT_TRUE(mode.ok()) << mode.error().message;
    EXPECT_EQ(mode.value(), "wal/2");  // 2 = FULL
    test_context::cleanup(options);
}

}  // namespace
}  // namespace billing::storage
