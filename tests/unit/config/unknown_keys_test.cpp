// A key the host does not know is refused at any level, at the key's line:col, naming the keys
// that are allowed there: a typo must not silently leave a default in force.
#include "config_test_support.hpp"

namespace billing::config::testing {
namespace {

TEST(ConfigUnknownKeys, TopLevelKeyIsRefused) {
    EXPECT_EQ(error_of("# a comment\nsevrer = 1\n"),
              at(2, 1) + "sevrer: unknown key; allowed at the top level: "
                         "server, database, timers, idempotency, log, plugins, demo, operator");
}

TEST(ConfigUnknownKeys, TopLevelTableIsRefusedAtItsName) {
    EXPECT_EQ(error_of("[server]\nport = 1\n\n[sever]\nport = 2\n"),
              at(4, 2) + "sever: unknown key; allowed at the top level: "
                         "server, database, timers, idempotency, log, plugins, demo, operator");
}

TEST(ConfigUnknownKeys, KeyInSectionIsRefused) {
    EXPECT_EQ(error_of("[server]\nport = 1\n  prot = 2\n"),
              at(3, 3) + "server.prot: unknown key; allowed in [server]: host, port, threads_max, "
                         "queue_max, body_bytes_max, keep_alive_timeout_s, head_bytes_max, header_fields_max, "
                         "head_timeout_ms, body_timeout_ms, connections_max, connections_per_client_max, "
                         "shutdown_grace_s");
}

TEST(ConfigUnknownKeys, NestedTableInSectionIsRefused) {
    EXPECT_EQ(error_of("[timers]\n[timers.extra]\nx = 1\n"),
              at(2, 9) + "timers.extra: unknown key; allowed in [timers]: sweep_interval_ms, lease_s, batch_max");
}

TEST(ConfigUnknownKeys, KeyInInlineTableIsRefused) {
    EXPECT_EQ(error_of("log = { level = \"debug\", colour = true }\n"),
              at(1, 26) + "log.colour: unknown key; allowed in [log]: level, format");
}

TEST(ConfigUnknownKeys, KeyInPolicyEntryIsRefused) {
    EXPECT_EQ(error_of("[[plugins.policy]]\n"
                       "name = \"a\"\n"
                       "file = \"a.so\"\n"
                       "config = \"a.toml\"\n"
                       "version = 2\n"),
              at(5, 1) + "plugins.policy[0].version: unknown key; allowed in [plugins.policy[0]]: "
                         "name, file, config");
}

TEST(ConfigUnknownKeys, KeyInEmptyLookingSectionIsRefused) {
    EXPECT_EQ(error_of("[operator]\nkey = \"x\"\n"),
              at(2, 1) + "operator.key: unknown key; allowed in [operator]: key_file");
}

}  // namespace
}  // namespace billing::config::testing
