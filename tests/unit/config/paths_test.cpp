// Relative paths resolve against the config file's directory, whatever the working directory,
// and they resolve without touching the files: whoever opens them reports a missing one.
#include "config_test_support.hpp"

#include <gmock/gmock.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

namespace billing::config::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr std::string_view policy_entry =
    "[[plugins.policy]]\nname = \"p\"\nfile = \"../lib/p.so\"\nconfig = \"p.toml\"\n";

HostConfig parsed_at(std::string_view text, std::string_view source_name) {
    Result<HostConfig> result = parse_host_config(text, source_name);
    EXPECT_TRUE(result.ok()) << result.error().message;
    return result.ok() ? std::move(result).value() : HostConfig{};
}

TEST(ConfigPaths, RelativePathsResolveAgainstTheConfigDirectory) {
    const HostConfig config = parsed_at(std::string("[database]\nurl = \"sqlite3://data/x.db\"\n"
                                                    "[operator]\nkey_file = \"keys/operator.key\"\n") +
                                            std::string(policy_entry),
                                        "/etc/billing/billing.toml");
    EXPECT_EQ(config.database.url, "sqlite3:///etc/billing/data/x.db");
    EXPECT_EQ(config.database.target, "/etc/billing/data/x.db");
    EXPECT_EQ(config.operator_.key_file, fs::path("/etc/billing/keys/operator.key"));
    ASSERT_EQ(config.plugins.policies.size(), 1u);
    EXPECT_EQ(config.plugins.policies[0].file, fs::path("/etc/lib/p.so"));
    EXPECT_EQ(config.plugins.policies[0].config, fs::path("/etc/billing/p.toml"));
}

TEST(ConfigPaths, DefaultDatabaseFileResolvesToo) {
    const HostConfig config = parsed_at("", "/srv/billing/billing.toml");
    EXPECT_EQ(config.database.url, "sqlite3:///srv/billing/data/billing.db");
    EXPECT_EQ(config.database.target, "/srv/billing/data/billing.db");
    EXPECT_EQ(config.database.backend, DatabaseBackend::sqlite3);
    // Unset stays unset: an empty key_file means "generate a key".
    EXPECT_TRUE(config.operator_.key_file.empty());
}

TEST(ConfigPaths, AbsolutePathsAreKeptAndNormalised) {
    const HostConfig config = parsed_at("[database]\nurl = \"sqlite3:///var/lib/billing/./x.db\"\n"
                                        "[operator]\nkey_file = \"/run/secrets/../op.key\"\n",
                                        "/etc/billing/billing.toml");
    EXPECT_EQ(config.database.url, "sqlite3:///var/lib/billing/x.db");
    EXPECT_EQ(config.operator_.key_file, fs::path("/run/op.key"));
}

TEST(ConfigPaths, InMemoryAndServerDatabasesAreNotPaths) {
    EXPECT_EQ(parsed_at("[database]\nurl = \"sqlite3://:memory:\"\n", "/etc/b/billing.toml").database.url,
              "sqlite3://:memory:");
    EXPECT_EQ(parsed_at("[database]\nurl = \"postgresql://db/billing\"\n", "/etc/b/billing.toml").database.url,
              "postgresql://db/billing");
}

// A scratch directory per test process; the tests write a real billing.toml into it.
class ConfigFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::path(::testing::TempDir()) / ("billing_config_test_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path write(std::string_view name, std::string_view text) {
        fs::path file = dir_ / name;
        std::ofstream(file) << text;
        return file;
    }

    fs::path dir_;
};

TEST_F(ConfigFile, LoadResolvesAgainstTheFilesDirectoryNotTheWorkingDirectory) {
    const fs::path file = write("billing.toml", policy_entry);
    const Result<HostConfig> result = load_host_config(file);
    ASSERT_TRUE(result.ok()) << result.error().message;
    const fs::path dir = fs::absolute(dir_).lexically_normal();
    EXPECT_EQ(result.value().database.target, (dir / "data/billing.db").string());
    ASSERT_EQ(result.value().plugins.policies.size(), 1u);
    EXPECT_EQ(result.value().plugins.policies[0].file, (dir.parent_path() / "lib/p.so"));
    EXPECT_EQ(result.value().plugins.policies[0].config, dir / "p.toml");
}

TEST(ConfigRelativeFile, RelativeFileNameIsKeptInMessagesButPathsBecomeAbsolute) {
    // ctest runs this in the build tree, a scratch place of its own.
    const fs::path dir = "billing_config_relative_" + std::to_string(::getpid());
    fs::create_directories(dir);
    std::ofstream(dir / "billing.toml") << "[server]\nport = -1\n";
    std::ofstream(dir / "ok.toml") << "";
    const Result<HostConfig> bad = load_host_config(dir / "billing.toml");
    const Result<HostConfig> good = load_host_config(dir / "ok.toml");
    const fs::path absolute_dir = fs::absolute(dir).lexically_normal();
    fs::remove_all(dir);

    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message,
              (dir / "billing.toml").string() + ":2:8: server.port: -1 is out of range; allowed 0..65535");
    ASSERT_TRUE(good.ok()) << good.error().message;
    EXPECT_EQ(good.value().database.target, (absolute_dir / "data/billing.db").string());
}

TEST_F(ConfigFile, LoadDoesNotRequireThePluginFilesToExist) {
    // p.so and p.toml do not exist in dir_: the loader reports that, not the config parser.
    EXPECT_TRUE(load_host_config(write("billing.toml", policy_entry)).ok());
}

TEST_F(ConfigFile, LoadNamesTheFileInErrors) {
    const fs::path file = write("bad.toml", "[server]\nport = 65536\n");
    const Result<HostConfig> result = load_host_config(file);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, kConfigInvalid);
    EXPECT_EQ(result.error().message, file.string() + ":2:8: server.port: 65536 is out of range; allowed 0..65535");
}

TEST_F(ConfigFile, EmptyFileLoadsAsDefaults) {
    const Result<HostConfig> result = load_host_config(write("empty.toml", ""));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value().server, ServerConfig{});
}

TEST_F(ConfigFile, MissingFileIsReportedWithItsPath) {
    const fs::path file = dir_ / "nowhere" / "billing.toml";
    const Result<HostConfig> result = load_host_config(file);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, kConfigNotFound);
    EXPECT_EQ(result.error().message, "cannot read config file " + file.string() + ": no such file");
}

TEST_F(ConfigFile, DirectoryIsNotAConfigFile) {
    const Result<HostConfig> result = load_host_config(dir_);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, kConfigUnreadable);
    EXPECT_THAT(result.error().message, HasSubstr(dir_.string()));
    EXPECT_THAT(result.error().message, HasSubstr("not a regular file"));
}

TEST_F(ConfigFile, OversizedFileIsRefused) {
    const Result<HostConfig> result = load_host_config(write("huge.toml", std::string((1 << 20) + 1, '#')));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, kConfigUnreadable);
    EXPECT_THAT(result.error().message, HasSubstr("larger than 1 MiB"));
}

}  // namespace
}  // namespace billing::config::testing
