// Every key of every section is read into its field.
#include "config_test_support.hpp"

namespace billing::config::testing {
namespace {

HostConfig parsed(std::string_view text) {
    Result<HostConfig> result = parse(text);
    EXPECT_TRUE(result.ok()) << result.error().message;
    return result.ok() ? std::move(result).value() : HostConfig{};
}

TEST(ConfigSections, ServerValuesAreRead) {
    const ServerConfig server = parsed("[server]\n"
                                       "host = \"0.0.0.0\"\nport = 9090\nthreads_max = 8\nqueue_max = 64\n"
                                       "body_bytes_max = 1024\nkeep_alive_timeout_s = 5\nshutdown_grace_s = 0\n")
                                    .server;
    EXPECT_EQ(server.host, "0.0.0.0");
    EXPECT_EQ(server.port, 9090);
    EXPECT_EQ(server.threads_max, 8u);
    EXPECT_EQ(server.queue_max, 64u);
    EXPECT_EQ(server.body_bytes_max, 1024u);
    EXPECT_EQ(server.keep_alive_timeout_s, 5u);
    EXPECT_EQ(server.shutdown_grace_s, 0u);
}

TEST(ConfigSections, DatabaseValuesAreRead) {
    const DatabaseConfig database = parsed("[database]\n"
                                           "url = \"postgresql://billing:secret@127.0.0.1:5432/billing\"\n"
                                           "pool_size = 16\nbusy_timeout_ms = 0\nsqlite_synchronous = \"normal\"\n")
                                        .database;
    EXPECT_EQ(database.url, "postgresql://billing:secret@127.0.0.1:5432/billing");
    EXPECT_EQ(database.backend, DatabaseBackend::postgresql);
    EXPECT_EQ(database.target, "billing:secret@127.0.0.1:5432/billing");
    EXPECT_EQ(database.pool_size, 16u);
    EXPECT_EQ(database.busy_timeout_ms, 0u);
    EXPECT_EQ(database.sqlite_synchronous, SqliteSynchronous::normal);
}

TEST(ConfigSections, MysqlUrlIsRead) {
    const DatabaseConfig database = parsed("[database]\nurl = \"mysql://u:p@db:3306/billing\"\n").database;
    EXPECT_EQ(database.backend, DatabaseBackend::mysql);
    EXPECT_EQ(database.target, "u:p@db:3306/billing");
}

TEST(ConfigSections, TimersValuesAreRead) {
    const TimersConfig timers = parsed("[timers]\nsweep_interval_ms = 100\nlease_s = 60\nbatch_max = 50\n").timers;
    EXPECT_EQ(timers.sweep_interval_ms, 100u);
    EXPECT_EQ(timers.lease_s, 60u);
    EXPECT_EQ(timers.batch_max, 50u);
}

TEST(ConfigSections, IdempotencyValuesAreRead) {
    EXPECT_EQ(parsed("[idempotency]\nretention_h = 48\n").idempotency.retention_h, 48u);
}

TEST(ConfigSections, LogValuesAreRead) {
    const LogConfig log = parsed("[log]\nlevel = \"trace\"\nformat = \"text\"\n").log;
    EXPECT_EQ(log.level, LogLevel::trace);
    EXPECT_EQ(log.format, LogFormat::text);
}

TEST(ConfigSections, PluginsValuesAreRead) {
    const PluginsConfig plugins =
        parsed("[plugins]\nwatch = true\nwatch_interval_ms = 500\n"
               "[[plugins.policy]]\nname = \"otpdesk\"\nfile = \"/opt/p/otpdesk.so\"\nconfig = \"/etc/otpdesk.toml\"\n"
               "[[plugins.policy]]\nname = \"second_2\"\nfile = \"/opt/p/second.so\"\nconfig = \"/etc/second.toml\"\n")
            .plugins;
    EXPECT_TRUE(plugins.watch);
    EXPECT_EQ(plugins.watch_interval_ms, 500u);
    ASSERT_EQ(plugins.policies.size(), 2u);
    EXPECT_EQ(plugins.policies[0], (PolicyPluginConfig{"otpdesk", "/opt/p/otpdesk.so", "/etc/otpdesk.toml"}));
    EXPECT_EQ(plugins.policies[1], (PolicyPluginConfig{"second_2", "/opt/p/second.so", "/etc/second.toml"}));
}

TEST(ConfigSections, PoliciesAsInlineArrayAreRead) {
    // [[plugins.policy]] and an inline array of tables are the same TOML value.
    const PluginsConfig plugins =
        parsed("[plugins]\npolicy = [{ name = \"a\", file = \"/a.so\", config = \"/a.toml\" }]\n").plugins;
    ASSERT_EQ(plugins.policies.size(), 1u);
    EXPECT_EQ(plugins.policies[0].name, "a");
}

TEST(ConfigSections, DemoAndOperatorValuesAreRead) {
    const HostConfig config = parsed(
        "[demo]\ncreate_tenant = false\nkeys_file = \"/etc/demo.env\"\n[operator]\nkey_file = \"/etc/op.key\"\n");
    EXPECT_FALSE(config.demo.create_tenant);
    EXPECT_EQ(config.demo.keys_file, "/etc/demo.env");
    EXPECT_EQ(config.operator_.key_file, "/etc/op.key");
}

TEST(ConfigSections, DottedKeysAndInlineTablesAreTheSameAsSections) {
    const HostConfig config = parsed("server.port = 1234\nlog = { level = \"debug\" }\n");
    EXPECT_EQ(config.server.port, 1234);
    EXPECT_EQ(config.log.level, LogLevel::debug);
}

}  // namespace
}  // namespace billing::config::testing
