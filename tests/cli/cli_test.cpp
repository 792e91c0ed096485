// The billing-host command line as an operator uses it: exit codes and what it prints.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "billing/storage/database.hpp"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct HostRun {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

HostRun run_host(const std::string& arguments) {
    // Appended, not `std::string(BILLING_HOST) + " " + ...`: GCC 12 at -O2 reports a false
    // -Warray-bounds inside the inlined rvalue operator+ once the test headers are precompiled.
    std::string command = BILLING_HOST;
    command.append(" ").append(arguments).append(" 2>&1");
    HostRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return run;
    }
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
        run.output += buffer.data();
    }
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

// The line a refused start prints ("billing-host: ..."), which check must print too.
std::string refusal_line(const std::string& output) {
    const auto start = output.find("billing-host: ");
    if (start == std::string::npos) return "(no refusal in: " + output + ")";
    return output.substr(start, output.find('\n', start) - start);
}

class HostCliTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("billing-cli-test-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        config_ = dir_ / "billing.toml";
        std::ofstream(config_) << "[database]\nurl = \"sqlite3://data/billing.db\"\n";
    }
    void TearDown() override { fs::remove_all(dir_); }

    HostRun run(const std::string& command) const { return run_host("--config " + config_.string() + " " + command); }

    // A config that serves one policy plugin from a SQLite database beside it.
    void configure_one_policy(const std::string& name, const std::string& file, const std::string& policy_config) {
        std::ofstream(config_) << "[server]\nport = 0\n[database]\nurl = \"sqlite3://data/billing.db\"\n"
                               << "[[plugins.policy]]\nname = \"" << name << "\"\nfile = \"" << file
                               << "\"\nconfig = \"" << policy_config << "\"\n";
    }

    // The database the config names, opened as the test's own second client.
    std::unique_ptr<billing::storage::Database> open_database() const {
        billing::storage::DatabaseOptions options;
        options.target = (dir_ / "data" / "billing.db").string();
        options.pool_size = 1;
        auto db = billing::storage::Database::open(options);
        EXPECT_TRUE(db.ok()) << db.error().message;
        return db.ok() ? std::move(db).value() : nullptr;
    }

    // check refused (exit 78) with the very line a refused serve, run now, prints (exit 1).
    void expect_serve_refuses_as(const HostRun& check) const {
        EXPECT_EQ(check.exit_code, 78) << check.output;
        const HostRun serve = run("serve");
        EXPECT_EQ(serve.exit_code, 1) << serve.output;
        EXPECT_THAT(check.output, HasSubstr(refusal_line(serve.output)));
    }

    fs::path dir_;
    fs::path config_;
};

TEST_F(HostCliTest, MigrateThenAuditOfAnEmptyDatabaseIsClean) {
    const HostRun migrate = run("migrate");
    EXPECT_EQ(migrate.exit_code, 0) << migrate.output;
    EXPECT_THAT(migrate.output, HasSubstr("schema version 3"));
    EXPECT_TRUE(fs::exists(dir_ / "data" / "billing.db")) << "relative to the config file's folder";

    const HostRun audit = run("audit");
    EXPECT_EQ(audit.exit_code, 0) << audit.output;
    EXPECT_THAT(audit.output, HasSubstr("audit ok: 0 violations"));
}

TEST_F(HostCliTest, AuditNamesACorruptedBalanceAndExitsNonZero) {
    ASSERT_EQ(run("migrate").exit_code, 0);
    {
        auto db = open_database();
        ASSERT_NE(db, nullptr);
        auto corrupted = db->write([](soci::session& sql) -> billing::Result<billing::Unit> {
            sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
                   "VALUES ('acc_cli', 'ten_cli', 'customer', 'alice', 500, 0)";
            return billing::Unit{};
        });
        ASSERT_TRUE(corrupted.ok()) << corrupted.error().message;
    }
    const HostRun audit = run("audit");
    EXPECT_EQ(audit.exit_code, 1) << audit.output;
    EXPECT_THAT(audit.output, HasSubstr("balance_mismatch"));
    EXPECT_THAT(audit.output, HasSubstr("acc_cli"));
}

TEST_F(HostCliTest, BadConfigExitsWithConfigErrorNamingLineAndColumn) {
    std::ofstream(config_) << "[server]\nport = 8080.5\n";
    const HostRun check = run("check");
    EXPECT_EQ(check.exit_code, 78) << check.output;
    EXPECT_THAT(check.output, HasSubstr(config_.string() + ":2:8: server.port"));
}

// A policy whose quote() and decide() throw: it loads and configures, and only the smoke check
// that serving runs refuses it (check once passed it).
TEST_F(HostCliTest, CheckRefusesAPolicyThatFailsServingsSmokeCheckWithServesMessage) {
    std::ofstream(dir_ / "fixture.toml") << "anything = 1\n";
    configure_one_policy("fixture", BILLING_THROWING_PLUGIN, "fixture.toml");
    const HostRun check = run("check");
    EXPECT_THAT(check.output, HasSubstr("quote() of an empty widget threw"));
    EXPECT_FALSE(fs::exists(dir_ / "data" / "billing.db")) << "check creates no database";
    expect_serve_refuses_as(check);
}

// A tenant bound with a config of its own that the policy refuses: serving refuses to start,
// and check, which reads the bindings from the configured database, refuses it the same way.
TEST_F(HostCliTest, CheckRefusesATenantsOwnConfigThatServingRefuses) {
    configure_one_policy("otpdesk", BILLING_OTPDESK_PLUGIN, BILLING_OTPDESK_CONFIG);
    ASSERT_EQ(run("migrate").exit_code, 0);
    const auto bind_tenant = [&](const std::string& policy_config) {
        auto db = open_database();
        ASSERT_NE(db, nullptr);
        auto bound = db->write([&](soci::session& sql) -> billing::Result<billing::Unit> {
            sql << "DELETE FROM tenants";
            sql << "INSERT INTO tenants (id, name, currency, policy_name, policy_config, test_mode, clock_ms, "
                   "created_at_ms) VALUES ('ten_cli', 'cli', 'USD', 'otpdesk', :config, 0, 0, 0)",
                soci::use(policy_config);
            return billing::Unit{};
        });
        ASSERT_TRUE(bound.ok()) << bound.error().message;
    };
    bind_tenant("[activation.prices]\ndefault_minor = 99\n[rental]\nprice_per_day_minor = 400\n");
    const HostRun accepted = run("check");
    EXPECT_EQ(accepted.exit_code, 0) << accepted.output;
    EXPECT_THAT(accepted.output, HasSubstr("smoke check passed; 1 tenant configs accepted"));

    bind_tenant("[activation.prices]\ndefault_minor = 1.5\n[rental]\nprice_per_day_minor = 400\n");
    const HostRun check = run("check");
    EXPECT_THAT(check.output, HasSubstr("a tenant's own config of otpdesk is refused"));
    expect_serve_refuses_as(check);
}

TEST_F(HostCliTest, UnknownCommandIsAUsageError) {
    const HostRun unknown = run("frobnicate");
    EXPECT_EQ(unknown.exit_code, 64);
    EXPECT_THAT(unknown.output, HasSubstr("unknown argument 'frobnicate'"));
}

}  // namespace
