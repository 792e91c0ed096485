// The database server goes away and comes back while the host serves (PostgreSQL and MariaDB,
// each on a private throwaway server of tests/db/db_servers.sh, so that stopping it disturbs no
// other test): /readyz and every request that needs the database answer 503
// storage_unavailable as problem+json, and once the server is back the host serves again by
// itself (the pool opens its lost connections anew). A request retried with its
// Idempotency-Key is applied once; the audit is clean.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/billing_api.hpp"
#include "support/host_process.hpp"
#include "support/http_client.hpp"

namespace billing::integration {
namespace {

constexpr std::int64_t deposit_minor = 1000;

std::string run(const std::string& command) {
    if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("failed: " + command);
    return command;
}

// A private pair of servers for one test, stopped and removed at the end whatever happens.
class PrivateServers {
public:
    PrivateServers() {
        char dir_template[] = "/tmp/billing-restart-db.XXXXXX";
        if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp");
        dir_ = dir_template;
        run(std::string(BILLING_DB_SERVERS) + " start " + dir_);
    }
    ~PrivateServers() { std::system((std::string(BILLING_DB_SERVERS) + " stop " + dir_ + " >/dev/null 2>&1").c_str()); }
    PrivateServers(const PrivateServers&) = delete;
    PrivateServers& operator=(const PrivateServers&) = delete;

    // Exports the servers' urls, as ./dev test does for the shared ones.
    void export_urls() const {
        std::ifstream env(dir_ + "/env");
        for (std::string line; std::getline(env, line);) {
            const auto equals = line.find('=');
            if (equals != std::string::npos) ::setenv(line.substr(0, equals).c_str(), line.substr(equals + 1).c_str(), 1);
        }
    }
    void down(const std::string& backend) const { run(std::string(BILLING_DB_SERVERS) + " down " + dir_ + " " + backend); }
    void up(const std::string& backend) const { run(std::string(BILLING_DB_SERVERS) + " up " + dir_ + " " + backend); }

private:
    std::string dir_;
};

class DatabaseRestart : public ::testing::TestWithParam<std::string> {};

TEST_P(DatabaseRestart, RequestsAre503WhileItIsAwayAndTheHostRecoversByItself) {
    const std::string backend = GetParam();
    PrivateServers servers;
    servers.export_urls();
    ::setenv("BILLING_IT_BACKEND", backend.c_str(), 1);
    auto host = HostProcess::start();
    HttpClient http("127.0.0.1", host->port());
    OperatorApi operator_api(http, host->operator_key());
    TenantApi api(http, operator_api.new_tenant("restart"));
    const std::string account = api.new_account(deposit_minor, "restart-customer");
    ASSERT_EQ(http.get("/readyz").status, 200);

    servers.down(backend);
    const Response ready = http.get("/readyz");
    EXPECT_EQ(ready.status, 503) << ready.describe();
    EXPECT_EQ(ready.json()["code"].str(), "storage_unavailable") << ready.describe();
    const std::string key = fresh_key();
    const Response refused = api.deposit(account, 100, key);
    EXPECT_EQ(refused.status, 503) << refused.describe();
    EXPECT_EQ(refused.json()["code"].str(), "storage_unavailable") << refused.describe();

    servers.up(backend);
    // Each pooled session finds its connection gone once, then is opened anew.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    int status = 0;
    while ((status = http.get("/readyz").status) != 200 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(status, 200) << "the host did not recover within 20 s of the database's return";
    // The refused deposit, retried with its key until it goes through: applied exactly once.
    Response retried = api.deposit(account, 100, key);
    for (int tries = 0; retried.status == 503 && tries < 50; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        retried = api.deposit(account, 100, key);
    }
    EXPECT_EQ(retried.status, 200) << retried.describe();
    const Response replayed = api.deposit(account, 100, key);
    EXPECT_EQ(replayed.status, 200) << replayed.describe();
    EXPECT_EQ(replayed.headers.count("idempotent-replayed"), 1U) << "the second retry replays the stored answer";
    EXPECT_EQ(api.balance(account), deposit_minor + 100);
    operator_api.require_audit_clean();
    EXPECT_EQ(host->stop(), "exit 0");
}

INSTANTIATE_TEST_SUITE_P(Servers, DatabaseRestart, ::testing::Values("postgresql", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

}  // namespace
}  // namespace billing::integration
