// An empty or section-only file means "all defaults", and the defaults are the documented ones.
#include "config_test_support.hpp"

namespace billing::config::testing {
namespace {

TEST(ConfigDefaults, EmptyTextGivesDefaultConfig) {
    // "test.toml" has no directory part, so relative paths stay as written and the result
    // equals a default-constructed HostConfig exactly.
    const Result<HostConfig> result = parse("");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value(), HostConfig{});
}

TEST(ConfigDefaults, CommentsAndEmptySectionsGiveDefaultConfig) {
    const Result<HostConfig> result =
        parse("# nothing set\n"
              "[server]\n[database]\n[timers]\n[idempotency]\n[log]\n[plugins]\n[demo]\n[operator]\n");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value(), HostConfig{});
}

TEST(ConfigDefaults, DefaultsAreTheDocumentedValues) {
    const HostConfig config;
    EXPECT_EQ(config.server.host, "127.0.0.1");
    EXPECT_EQ(config.server.port, 8080);
    EXPECT_EQ(config.server.threads_max, 32u);
    EXPECT_EQ(config.server.queue_max, 256u);
    EXPECT_EQ(config.server.body_bytes_max, 65536u);
    EXPECT_EQ(config.server.keep_alive_timeout_s, 15u);
    EXPECT_EQ(config.server.shutdown_grace_s, 20u);
    EXPECT_EQ(config.server.head_bytes_max, 8192u);
    EXPECT_EQ(config.server.header_fields_max, 100u);
    EXPECT_EQ(config.server.head_timeout_ms, 10000u);
    EXPECT_EQ(config.server.body_timeout_ms, 30000u);
    EXPECT_EQ(config.server.connections_max, 4096u);
    EXPECT_EQ(config.server.connections_per_client_max, 256u);
    EXPECT_EQ(config.database.url, "sqlite3://data/billing.db");
    EXPECT_EQ(config.database.backend, DatabaseBackend::sqlite3);
    EXPECT_EQ(config.database.target, "data/billing.db");
    EXPECT_EQ(config.database.pool_size, 4u);
    EXPECT_EQ(config.database.busy_timeout_ms, 5000u);
    EXPECT_EQ(config.database.sqlite_synchronous, SqliteSynchronous::full);
    EXPECT_TRUE(config.database.group_commit);
    EXPECT_EQ(config.database.group_commit_max, 64u);
    EXPECT_EQ(config.database.group_commit_window_us, 2000u);
    EXPECT_EQ(config.database.group_commit_batches, 3u);
    EXPECT_EQ(config.timers.sweep_interval_ms, 250u);
    EXPECT_EQ(config.timers.lease_s, 30u);
    EXPECT_EQ(config.timers.batch_max, 500u);
    EXPECT_EQ(config.idempotency.retention_h, 24u);
    EXPECT_EQ(config.log.level, LogLevel::information);
    EXPECT_EQ(config.log.format, LogFormat::json);
    EXPECT_FALSE(config.plugins.watch);
    EXPECT_EQ(config.plugins.watch_interval_ms, 1000u);
    EXPECT_TRUE(config.plugins.policies.empty());
    EXPECT_TRUE(config.demo.create_tenant);
    EXPECT_TRUE(config.operator_.key_file.empty());
}

TEST(ConfigDefaults, LogLevelsMatchPocoPriorities) {
    // The app hands these to Poco with a static_cast: PRIO_FATAL = 1 ... PRIO_TRACE = 8.
    EXPECT_EQ(static_cast<int>(LogLevel::fatal), 1);
    EXPECT_EQ(static_cast<int>(LogLevel::information), 6);
    EXPECT_EQ(static_cast<int>(LogLevel::trace), 8);
}

}  // namespace
}  // namespace billing::config::testing
