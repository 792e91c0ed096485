// SIGTERM while clients are busy (host.hpp): the host finishes what it received, exits 0, and
// everything it acknowledged with a 2xx is in the database when a new host starts on it.
#include <gtest/gtest.h>

#include <Poco/Exception.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/host_test.hpp"

namespace billing::integration {
namespace {

constexpr std::int64_t price_minor = 250;  // telegram in us (config/otpdesk.toml)
constexpr std::int64_t start_minor = 10'000'000;

struct Attempt {
    bool purchase = false;
    std::string key;
    std::int64_t amount_minor = 0;  // deposits
    int status = 0;                 // 0: no answer (the connection failed)
    std::string body;
};

// One client sending deposits and purchases with fresh keys until the host stops answering.
void busy_client(std::uint16_t port, const TenantKeys& keys, const std::string& account, int index,
                 std::vector<Attempt>& attempts, std::atomic<int>& acknowledged) {
    constexpr int attempts_max = 2000;
    constexpr int failures_max = 3;  // in a row: the host is gone
    HttpClient http("127.0.0.1", port);
    TenantApi api(http, keys);
    int failures = 0;
    for (int i = 0; i < attempts_max && failures < failures_max; ++i) {
        Attempt a;
        a.purchase = (i + index) % 2 == 0;
        a.key = fresh_key();
        a.amount_minor = 1 + (i % 97);
        try {
            const Response r = a.purchase ? api.buy_activation(account, "telegram", "us", a.key)
                                          : api.deposit(account, a.amount_minor, a.key);
            a.status = r.status;
            a.body = r.body;
            failures = 0;
            if (r.status >= 200 && r.status < 300) ++acknowledged;
        } catch (const Poco::Exception&) {
            ++failures;
        }
        attempts.push_back(std::move(a));
    }
}

TEST(Shutdown, EveryAcknowledgedRequestSurvivesSigtermAndARestart) {
    auto host = HostProcess::start();
    TenantKeys keys;
    std::string account;
    {
        HttpClient http("127.0.0.1", host->port());
        keys = OperatorApi(http, host->operator_key()).new_tenant();
        account = TenantApi(http, keys).new_account(start_minor);
        const Response ready = http.get("/readyz");
        ASSERT_EQ(ready.status, 200) << ready.describe();
    }

    constexpr int clients_n = 6;
    constexpr int acknowledged_before_sigterm = 150;
    std::vector<std::vector<Attempt>> attempts(clients_n);
    std::atomic<int> acknowledged{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < clients_n; ++i) {
        clients.emplace_back(busy_client, host->port(), std::cref(keys), std::cref(account), i,
                             std::ref(attempts[static_cast<std::size_t>(i)]), std::ref(acknowledged));
    }
    // A reader of /readyz on a connection of its own: 200 until the SIGTERM, then 200 or 503.
    std::atomic<bool> sigterm_sent{false};
    std::atomic<bool> done{false};
    std::vector<std::pair<bool, int>> readyz;  // (after the SIGTERM, status)
    std::thread ready_reader([&] {
        HttpClient http("127.0.0.1", host->port());
        while (!done) {
            try {
                const int status = http.get("/readyz").status;
                // Read after the answer came: false means the SIGTERM was not yet sent when the
                // host answered.
                readyz.emplace_back(sigterm_sent, status);
            } catch (const Poco::Exception&) {
                if (sigterm_sent) return;
            }
        }
    });

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (acknowledged < acknowledged_before_sigterm && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    sigterm_sent = true;
    const int acknowledged_at_sigterm = acknowledged;
    const auto sigterm_at = std::chrono::steady_clock::now();
    host->send_sigterm();
    const std::string exit = host->wait();
    const auto drain_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sigterm_at).count();
    for (std::thread& t : clients) t.join();
    done = true;
    ready_reader.join();
    EXPECT_EQ(exit, "exit 0") << host->stderr_text();
    EXPECT_NE(host->stdout_text().find("billing-host: SIGTERM: finishing the requests in progress"), std::string::npos);
    EXPECT_NE(host->stdout_text().find("billing-host: stopped"), std::string::npos);
    int draining = 0;
    for (const auto& [after, status] : readyz) {
        if (status == 503) ++draining;
        if (after) {
            EXPECT_TRUE(status == 200 || status == 503) << status;
        } else {
            EXPECT_EQ(status, 200) << "/readyz before the SIGTERM";
        }
    }

    int answered = 0;
    int unanswered = 0;
    for (const auto& list : attempts) {
        for (const Attempt& a : list) {
            if (a.status == 0) {
                ++unanswered;
                continue;
            }
            ++answered;
            EXPECT_TRUE(a.status == 200 || a.status == 201) << a.status << " " << a.body;
        }
    }
    std::cout << "SIGTERM to exit " << drain_ms << " ms; " << acknowledged - acknowledged_at_sigterm
              << " acknowledged after the SIGTERM\n";
    std::cout << "acknowledged " << acknowledged << " of " << answered + unanswered << " requests; " << unanswered
              << " got no answer; /readyz said 503 " << draining << " times while draining\n";
    ASSERT_GE(acknowledged, acknowledged_before_sigterm);

    host->restart();
    HttpClient http("127.0.0.1", host->port());
    TenantApi api(http, keys);
    std::int64_t expected_minor = start_minor;
    int replayed = 0;
    for (const auto& list : attempts) {
        for (const Attempt& a : list) {
            // Every request again with its key: an acknowledged one must be a replay of exactly
            // what was answered; one never answered either ran (a replay) or runs now.
            const Response again = a.purchase ? api.buy_activation(account, "telegram", "us", a.key)
                                              : api.deposit(account, a.amount_minor, a.key);
            ASSERT_TRUE(again.status == 200 || again.status == 201) << again.describe();
            if (a.status != 0) {
                EXPECT_EQ(again.header("idempotent-replayed"), "true") << "acknowledged, then lost: " << a.body;
                EXPECT_EQ(again.body, a.body);
                if (a.purchase) {
                    EXPECT_EQ(api.order(again.json()["id"].str()).status, 200);
                }
            }
            if (again.has_header("idempotent-replayed")) ++replayed;
            expected_minor += a.purchase ? -price_minor : a.amount_minor;
        }
    }
    std::cout << replayed << " replayed after the restart\n";
    EXPECT_EQ(api.balance(account), expected_minor) << "each request took effect exactly once";
    EXPECT_NO_THROW(OperatorApi(http, host->operator_key()).require_audit_clean());
    expect_clean_stop_and_audit(*host);
}

TEST(Shutdown, AnIdleKeepAliveConnectionDoesNotHoldTheHostForTheGrace) {
    HostOptions options;
    options.shutdown_grace_s = 120;
    options.keep_alive_timeout_s = 600;
    auto host = HostProcess::start(options);
    HttpClient http("127.0.0.1", host->port());
    ASSERT_EQ(http.get("/readyz").status, 200);
    // The connection stays open and idle; the host must not wait out the 120 s grace for it.
    EXPECT_EQ(host->stop(std::chrono::seconds(60)), "exit 0") << host->stderr_text();
    expect_offline_audit_clean(*host);
}

}  // namespace
}  // namespace billing::integration
