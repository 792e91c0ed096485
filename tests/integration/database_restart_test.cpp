// The database server goes away and comes back while the host serves (PostgreSQL and MariaDB,
// each on a private throwaway server of tests/db/db_servers.sh, so that stopping it disturbs no
// other test): /readyz and every request that needs the database answer 503
// storage_unavailable as problem+json, and once the server is back the host serves again by
// itself (the pool opens its lost connections anew). A request retried with its
// Idempotency-Key is applied once; the audit is clean. Under load: customers that keep buying
// through the restart, resending each request with its key, get every request answered, each
// applied exactly once (their transfers and balances), and the timers of their orders survive.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/billing_api.hpp"
#include "support/host_process.hpp"
#include "support/http_client.hpp"

namespace billing::integration {
namespace {

constexpr std::int64_t deposit_minor = 1000;
constexpr std::int64_t telegram_us_minor = 250;              // config/otpdesk.toml
constexpr std::int64_t customer_deposit_minor = 10'000'000;  // plenty for a few hundred purchases

// Runs the command; a failure throws with the end of what it said on stderr (why a server did
// not start: its own log's tail, printed by db_servers.sh).
void run(const std::string& command) {
    char errors_template[] = "/tmp/billing-restart-stderr.XXXXXX";
    const int fd = ::mkstemp(errors_template);
    if (fd < 0) throw std::runtime_error("mkstemp");
    ::close(fd);
    const std::string errors = errors_template;
    const int status = std::system((command + " >/dev/null 2>" + errors).c_str());
    std::ifstream said(errors);
    std::string text;
    for (std::string line; std::getline(said, line);) text += line + "\n";
    ::unlink(errors.c_str());
    if (status != 0) {
        if (text.size() > 2000) text = text.substr(text.size() - 2000);
        throw std::runtime_error("failed: " + command + "\n" + text);
    }
}

// A private server of one backend for one test, stopped and removed at the end whatever happens.
class PrivateServers {
public:
    explicit PrivateServers(const std::string& backend) {
        char dir_template[] = "/tmp/billing-restart-db.XXXXXX";
        if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp");
        dir_ = dir_template;
        try {
            run(std::string(BILLING_DB_SERVERS) + " start " + dir_ + " " + backend);
        } catch (...) {
            stop();  // one server may be up when the other failed: no destructor runs for us
            throw;
        }
    }
    ~PrivateServers() { stop(); }
    PrivateServers(const PrivateServers&) = delete;
    PrivateServers& operator=(const PrivateServers&) = delete;

    // Exports the servers' urls, as ./dev test does for the shared ones.
    void export_urls() const {
        std::ifstream env(dir_ + "/env");
        for (std::string line; std::getline(env, line);) {
            const auto equals = line.find('=');
            if (equals != std::string::npos)
                ::setenv(line.substr(0, equals).c_str(), line.substr(equals + 1).c_str(), 1);
        }
    }
    void stop() const { std::system((std::string(BILLING_DB_SERVERS) + " stop " + dir_ + " >/dev/null 2>&1").c_str()); }
    void down(const std::string& backend) const {
        run(std::string(BILLING_DB_SERVERS) + " down " + dir_ + " " + backend);
    }
    void up(const std::string& backend) const { run(std::string(BILLING_DB_SERVERS) + " up " + dir_ + " " + backend); }

private:
    std::string dir_;
};

// Private servers of the parameter's backend, a host on them and its operator.
class DatabaseRestart : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        servers_.export_urls();
        ::setenv("BILLING_IT_BACKEND", backend().c_str(), 1);
        host_ = HostProcess::start();
        http_ = std::make_unique<HttpClient>("127.0.0.1", host_->port());
        operator_ = std::make_unique<OperatorApi>(*http_, host_->operator_key());
    }

    [[nodiscard]] std::string backend() const { return GetParam(); }

    PrivateServers servers_{GetParam()};  // the parameter is set before a fixture is made
    std::unique_ptr<HostProcess> host_;
    std::unique_ptr<HttpClient> http_;
    std::unique_ptr<OperatorApi> operator_;
};

TEST_P(DatabaseRestart, RequestsAre503WhileItIsAwayAndTheHostRecoversByItself) {
    TenantApi api(*http_, operator_->new_tenant("restart"));
    const std::string account = api.new_account(deposit_minor, "restart-customer");
    ASSERT_EQ(http_->get("/readyz").status, 200);

    servers_.down(backend());
    const Response ready = http_->get("/readyz");
    EXPECT_EQ(ready.status, 503) << ready.describe();
    EXPECT_EQ(ready.json()["code"].str(), "storage_unavailable") << ready.describe();
    const std::string key = fresh_key();
    const Response refused = api.deposit(account, 100, key);
    EXPECT_EQ(refused.status, 503) << refused.describe();
    EXPECT_EQ(refused.json()["code"].str(), "storage_unavailable") << refused.describe();

    servers_.up(backend());
    // Each pooled session finds its connection gone once, then is opened anew.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    int status = 0;
    while ((status = http_->get("/readyz").status) != 200 && std::chrono::steady_clock::now() < deadline) {
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
    operator_->require_audit_clean();
    EXPECT_EQ(host_->stop(), "exit 0");
}

// Customers keep buying through the restart, each request retried with its Idempotency-Key
// while the host answers 503 (a transport error too), as a storefront's client would.
class RetryingCustomer {
public:
    RetryingCustomer(std::uint16_t port, const TenantKeys& tenant, const std::string& name)
        : http_("127.0.0.1", port), api_(http_, tenant), account_(api_.new_account(customer_deposit_minor, name)) {}

    // Until stop: a deposit of 100, then an activation (telegram/us), each retried until answered.
    void run(const std::atomic<bool>& stop) {
        while (!stop && failure_.empty()) {
            if (!acknowledged("/v1/accounts/" + account_ + "/deposits", R"({"amount_minor":100})", 200)) return;
            ++deposits_;
            if (!acknowledged("/v1/orders", activation_order(account_), 201)) return;
            ++purchases_;
        }
    }

    [[nodiscard]] const std::string& account() const { return account_; }
    [[nodiscard]] long deposits() const { return deposits_; }
    [[nodiscard]] long purchases() const { return purchases_; }
    [[nodiscard]] long retries() const { return retries_; }
    [[nodiscard]] const std::string& failure() const { return failure_; }

private:
    bool acknowledged(const std::string& target, const std::string& body, int expected_status) {
        const Response answer =
            post_until_answered(http_, target, body, RequestOptions{api_.keys().service, fresh_key(), ""},
                                std::chrono::seconds(60), &retries_);
        if (answer.status == expected_status) return true;
        failure_ = answer.describe();
        return false;
    }

    HttpClient http_;
    TenantApi api_;
    std::string account_;
    long deposits_ = 0;
    long purchases_ = 0;
    long retries_ = 0;
    std::string failure_;
};

// How many transfers of each kind the account has, all pages read.
std::map<std::string, long> transfer_kinds(HttpClient& http, const TenantKeys& tenant, const std::string& account) {
    std::map<std::string, long> kinds;
    std::string after;
    for (;;) {
        const Json page = http.get("/v1/accounts/" + account + "/transfers?limit=100" +
                                       (after.empty() ? "" : "&starting_after=" + after),
                                   RequestOptions{tenant.service, std::nullopt, ""})
                              .expect(200)
                              .json()["data"];
        for (std::size_t i = 0; i < page.size(); ++i) ++kinds[page[i]["kind"].str()];
        if (page.size() < 100) return kinds;
        after = page[page.size() - 1]["id"].str();
    }
}

TEST_P(DatabaseRestart, CustomersRetryingWithTheirKeysLoseNothingAndPayNothingTwice) {
    const TenantKeys tenant = operator_->new_tenant("restart under load");
    std::vector<std::unique_ptr<RetryingCustomer>> customers;
    for (int i = 0; i < 8; ++i) {
        customers.push_back(std::make_unique<RetryingCustomer>(host_->port(), tenant, "customer-" + std::to_string(i)));
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (auto& customer : customers) threads.emplace_back([&stop, &customer] { customer->run(stop); });

    // 2 s of traffic, the server away for 3 s, then 4 s more once it is back.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    servers_.down(backend());
    std::this_thread::sleep_for(std::chrono::seconds(3));
    servers_.up(backend());
    std::this_thread::sleep_for(std::chrono::seconds(4));
    stop = true;
    for (std::thread& thread : threads) thread.join();

    TenantApi api(*http_, tenant);
    long retries = 0;
    long purchases = 0;
    for (const auto& customer : customers) {
        EXPECT_EQ(customer->failure(), "") << "every request is answered once the database is back";
        const auto kinds = transfer_kinds(*http_, tenant, customer->account());
        // The first deposit is new_account's; each acknowledged request exactly once.
        EXPECT_EQ(kinds.count("deposit") ? kinds.at("deposit") : 0, customer->deposits() + 1);
        EXPECT_EQ(kinds.count("purchase") ? kinds.at("purchase") : 0, customer->purchases());
        EXPECT_EQ(api.balance(customer->account()),
                  customer_deposit_minor + 100 * customer->deposits() - telegram_us_minor * customer->purchases());
        retries += customer->retries();
        purchases += customer->purchases();
    }
    EXPECT_GT(retries, 0) << "the outage must have met the traffic";
    EXPECT_GT(purchases, 8) << "too little traffic to say anything";
    // The activations' timers survived too: 20 minutes on, every one is refunded, once.
    api.advance_seconds(20 * 60).expect(200);
    for (const auto& customer : customers) {
        EXPECT_EQ(api.balance(customer->account()), customer_deposit_minor + 100 * customer->deposits());
    }
    std::cout << purchases << " purchases, " << retries << " resends while the database was away\n";
    operator_->require_audit_clean();
    EXPECT_EQ(host_->stop(), "exit 0");
}

INSTANTIATE_TEST_SUITE_P(Servers, DatabaseRestart, ::testing::Values("postgresql", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

}  // namespace
}  // namespace billing::integration
