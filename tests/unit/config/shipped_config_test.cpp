// The config/billing.toml in the repository parses with this parser, states the defaults (so
// reading it tells the truth about an empty file), and documents every key.
#include "config_test_support.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace billing::config::testing {
namespace {

namespace fs = std::filesystem;

const fs::path shipped_file{BILLING_SHIPPED_CONFIG};

TEST(ConfigShipped, ParsesAndEqualsTheDefaults) {
    const Result<HostConfig> result = load_host_config(shipped_file);
    ASSERT_TRUE(result.ok()) << result.error().message;
    const HostConfig& config = result.value();
    const HostConfig defaults;
    const fs::path dir = shipped_file.parent_path().lexically_normal();

    EXPECT_EQ(config.server, defaults.server);
    EXPECT_EQ(config.timers, defaults.timers);
    EXPECT_EQ(config.idempotency, defaults.idempotency);
    EXPECT_EQ(config.log, defaults.log);
    DemoConfig demo = defaults.demo;
    demo.keys_file = dir / "data/demo-keys.env";  // resolved next to the config file
    EXPECT_EQ(config.demo, demo);
    EXPECT_EQ(config.operator_, defaults.operator_);

    // The default database, next to the config file.
    DatabaseConfig database = defaults.database;
    database.target = (dir / "data/billing.db").string();
    database.url = "sqlite3://" + database.target;
    EXPECT_EQ(config.database, database);

    // The plugin settings are defaults; the shipped file adds the OTPDesk policy as built by the
    // release preset, next to the repository's config directory.
    EXPECT_EQ(config.plugins.watch, defaults.plugins.watch);
    EXPECT_EQ(config.plugins.watch_interval_ms, defaults.plugins.watch_interval_ms);
    ASSERT_EQ(config.plugins.policies.size(), 1u);
    EXPECT_EQ(
        config.plugins.policies[0],
        (PolicyPluginConfig{"otpdesk", dir.parent_path() / "build/release/plugins/otpdesk.so", dir / "otpdesk.toml"}));
}

TEST(ConfigShipped, EveryKeyHasACommentAboveIt) {
    std::ifstream in(shipped_file);
    ASSERT_TRUE(in) << shipped_file;
    // Key lines, also a commented-out optional key such as "# key_file = ...".
    const std::regex key_line(R"(^(# )?[a-z_]+ = .*)");
    std::string previous;
    std::string line;
    int line_number = 0;
    int keys = 0;
    while (std::getline(in, line)) {
        ++line_number;
        if (std::regex_match(line, key_line)) {
            ++keys;
            EXPECT_TRUE(previous.starts_with("#") && !std::regex_match(previous, key_line))
                << shipped_file.string() << ":" << line_number << ": no comment above: " << line;
        }
        previous = line;
    }
    // 13 server + 8 database + 3 timers + 1 idempotency + 2 log + 2 plugins + 3 policy + 2 demo
    // + 1 operator: a key missing from the file would leave it undocumented there.
    EXPECT_EQ(keys, 35);
}

}  // namespace
}  // namespace billing::config::testing

namespace billing::config::testing {
namespace {

// config/examples: one working configuration per database backend, each parsed as the host
// would, with the backend and target its url names.
TEST(ConfigShipped, EachBackendsExampleParses) {
    const fs::path examples = shipped_file.parent_path() / "examples";
    const std::vector<std::pair<std::string, DatabaseBackend>> files = {
        {"billing-sqlite.toml", DatabaseBackend::sqlite3},
        {"billing-postgresql.toml", DatabaseBackend::postgresql},
        {"billing-mysql.toml", DatabaseBackend::mysql},
    };
    for (const auto& [file, backend] : files) {
        const Result<HostConfig> result = load_host_config(examples / file);
        ASSERT_TRUE(result.ok()) << file << ": " << result.error().message;
        EXPECT_EQ(result.value().database.backend, backend) << file;
        ASSERT_EQ(result.value().plugins.policies.size(), 1u) << file;
        EXPECT_TRUE(fs::exists(result.value().plugins.policies[0].config)) << file << ": its policy config";
    }
}

}  // namespace
}  // namespace billing::config::testing
