// Several hosts on one database (DESIGN §5; PostgreSQL and MariaDB): two billing-host processes
// share one database, as two instances behind a load balancer do, each with its sweeper running.
//
// - Orders bought through both hosts at once, on a live tenant whose activations last 2 s, so
//   the sweepers of both hosts decide real timers while the traffic runs: every order ends in
//   the state its life calls for with its exact money, every timer is decided exactly once
//   (one timer event per order, and the refunds the two hosts count add up to the expiries),
//   and the audit is clean.
// - A host killed with SIGKILL in the middle of a sweep batch (its orders and timers locked, its
//   writes made, stuck on an account row an operator's session holds, so the test can catch it
//   there): nothing of the batch survives it, no lease is left to wait for, and the other host
//   applies the batch's timers, each once.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/billing_api.hpp"
#include "support/database_cli.hpp"
#include "support/host_process.hpp"
#include "support/host_test.hpp"
#include "support/http_client.hpp"
#include "support/metrics_text.hpp"

namespace billing::integration {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t telegram_us_minor = 250;  // config/otpdesk.toml
constexpr std::int64_t deposit_minor = 10'000'000;
constexpr milliseconds patience{20'000};  // for one request, across a loaded 2-core machine
const std::string refunded_series = R"(billing_orders_refunded_total{product="activation"})";

// The sweepers look for due timers every 20 ms and lease what they claim for lease_s.
HostOptions sweeping_host(int lease_s) {
    HostOptions options;
    options.extra_toml = "[timers]\nsweep_interval_ms = 20\nlease_s = " + std::to_string(lease_s) + "\n";
    return options;
}

// OTPDesk with 2-second activations that may be cancelled at once.
std::string short_activations() {
    return otpdesk_config_with({{"window_s = 1200", "window_s = 2"}, {"cancel_from_s = 120", "cancel_from_s = 0"}});
}

double refunds_counted_by(std::uint16_t port) {
    HttpClient http("127.0.0.1", port);
    return counter_value(http.get("/metrics").expect(200).body, refunded_series);
}

// One order as a client saw it, and what its end must be.
struct Sold {
    std::string id;
    std::string account;
    bool delivered = false;  // a code arrived in its window: captured at its end, no refund
};

// Polls the order until it is final (its timer decided), for up to the deadline; returns it.
Json wait_until_final(TenantApi& api, const std::string& order_id, Clock::time_point deadline) {
    for (;;) {
        Json order = api.order(order_id).expect(200).json();
        if (order["final"].boolean() || Clock::now() >= deadline) return order;
        std::this_thread::sleep_for(milliseconds(50));
    }
}

// Every order final with the money its life calls for, and decided by exactly one timer event.
void expect_each_order_ended_once(TenantApi& api, const std::vector<Sold>& sold) {
    const auto deadline = Clock::now() + seconds(60);
    for (const Sold& order : sold) {
        const Json end = wait_until_final(api, order.id, deadline);
        ASSERT_TRUE(end["final"].boolean())
            << order.id << " is still open a minute after its 2 s window: " << end.dump();
        EXPECT_EQ(end["state"].str(), order.delivered ? "completed" : "expired") << end.dump();
        EXPECT_EQ(end["refunded_minor"].i64(), order.delivered ? 0 : telegram_us_minor) << end.dump();
        EXPECT_EQ(end["captured_minor"].i64(), order.delivered ? telegram_us_minor : 0) << end.dump();
        const Json events = api.events(order.id).expect(200).json()["data"];
        int timer_events = 0;
        for (std::size_t i = 0; i < events.size(); ++i) timer_events += events[i]["type"].str() == "timer" ? 1 : 0;
        EXPECT_EQ(timer_events, 1) << order.id << ": its expiry must be decided exactly once";
    }
}

class MultiHost : public ::testing::Test {
protected:
    // Host a, host b beside it, and a live tenant with 2-second activations made through a.
    void start(int lease_s) {
        a_ = HostProcess::start(sweeping_host(lease_s));
        b_ = HostProcess::start_beside(*a_, sweeping_host(lease_s));
        HttpClient http("127.0.0.1", a_->port());
        tenant_ =
            OperatorApi(http, a_->operator_key()).new_tenant("two hosts", /*test_mode=*/false, short_activations());
    }

    void TearDown() override {
        for (HostProcess* host : {a_.get(), b_.get()}) {
            if (host != nullptr && host->running()) {
                EXPECT_EQ(host->stop(), "exit 0") << host->stderr_text();
            }
        }
    }

    void require_audit_clean(HostProcess& host) {
        HttpClient http("127.0.0.1", host.port());
        EXPECT_NO_THROW(OperatorApi(http, host.operator_key()).require_audit_clean());
    }

    std::unique_ptr<HostProcess> a_;
    std::unique_ptr<HostProcess> b_;
    TenantKeys tenant_;
};

// One customer buying activations in a loop through one host; every third gets a code at once.
class Customer {
public:
    Customer(std::uint16_t port, const TenantKeys& tenant, const std::string& name)
        : http_("127.0.0.1", port), api_(http_, tenant), account_(api_.new_account(deposit_minor, name)) {}

    // Until stop: buy, maybe deliver a code, next. Each purchase is retried with its own key.
    void run(const std::atomic<bool>& stop) {
        while (!stop) {
            const RequestOptions options{api_.keys().service, fresh_key(), ""};
            const Response bought =
                post_until_answered(http_, "/v1/orders", activation_order(account_), options, patience);
            if (bought.status != 201) {
                failures_.push_back(bought.describe());
                return;
            }
            Sold order{bought.json()["id"].str(), account_, false};
            if (sold_.size() % 3 == 0) {
                // A code in the window captures the charge; one that lost the race with the
                // 2 s expiry is refused, and the order is refunded like the others.
                const Response code = api_.message(order.id, "telegram");
                order.delivered = code.status == 200;
                if (code.status != 200 && code.problem_code() != "order_closed") failures_.push_back(code.describe());
            }
            sold_.push_back(order);
        }
    }

    [[nodiscard]] const std::vector<Sold>& sold() const { return sold_; }
    [[nodiscard]] const std::vector<std::string>& failures() const { return failures_; }
    [[nodiscard]] std::int64_t expected_balance() const {
        std::int64_t balance = deposit_minor;
        for (const Sold& order : sold_) balance -= order.delivered ? telegram_us_minor : 0;
        return balance;
    }
    [[nodiscard]] std::int64_t balance() { return api_.balance(account_); }

private:
    HttpClient http_;
    TenantApi api_;
    std::string account_;
    std::vector<Sold> sold_;
    std::vector<std::string> failures_;
};

TEST_F(MultiHost, OrdersThroughBothHostsWhileBothSweepAreEachDecidedOnce) {
    start(/*lease_s=*/5);
    // Four customers on each host, buying for 8 s; orders expire 2 s after their purchase, so
    // both sweepers decide timers for most of that time, while the purchases go on.
    std::vector<std::unique_ptr<Customer>> customers;
    for (int i = 0; i < 8; ++i) {
        const HostProcess& host = i % 2 == 0 ? *a_ : *b_;
        customers.push_back(std::make_unique<Customer>(host.port(), tenant_, "customer-" + std::to_string(i)));
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (auto& customer : customers) threads.emplace_back([&stop, &customer] { customer->run(stop); });
    std::this_thread::sleep_for(seconds(8));
    stop = true;
    for (std::thread& thread : threads) thread.join();

    HttpClient http("127.0.0.1", a_->port());
    TenantApi api(http, tenant_);
    std::size_t orders = 0;
    std::size_t expiries = 0;
    for (auto& customer : customers) {
        EXPECT_TRUE(customer->failures().empty()) << customer->failures().front();
        expect_each_order_ended_once(api, customer->sold());
        EXPECT_EQ(customer->balance(), customer->expected_balance());
        orders += customer->sold().size();
        for (const Sold& order : customer->sold()) expiries += order.delivered ? 0 : 1;
    }
    ASSERT_GT(orders, 40U) << "too little traffic to say anything";
    // Each expiry was refunded by exactly one of the two hosts, and both hosts' sweepers took part.
    const double refunded_by_a = refunds_counted_by(a_->port());
    const double refunded_by_b = refunds_counted_by(b_->port());
    EXPECT_EQ(refunded_by_a + refunded_by_b, static_cast<double>(expiries));
    EXPECT_GT(refunded_by_a, 0.0) << "host a's sweeper refunded nothing";
    EXPECT_GT(refunded_by_b, 0.0) << "host b's sweeper refunded nothing";
    std::cout << "orders " << orders << ", expired and refunded " << expiries << " (host a " << refunded_by_a
              << ", host b " << refunded_by_b << ")\n";
    require_audit_clean(*a_);
    require_audit_clean(*b_);
}

// How many sessions of the database wait for a row lock (the sweepers stuck behind the
// operator's lock, or behind each other).
int sessions_waiting_for_a_lock(const ServerUrl& url) {
    const std::string query =
        url.scheme == "postgresql"
            ? "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            : "SELECT count(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'";
    return std::stoi(run_sql(url, query));
}

// Waits (up to 10 s) until at least n sessions wait for a row lock; false if they never do.
bool wait_for_lock_waiters(const ServerUrl& url, int n) {
    const auto deadline = Clock::now() + seconds(10);
    while (Clock::now() < deadline) {
        if (sessions_waiting_for_a_lock(url) >= n) return true;
        std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
}

TEST_F(MultiHost, AHostKilledMidBatchLeavesNothingBehindAndTheOtherAppliesItsTimersOnce) {
    // Host a alone first, so that the stuck batch is certainly a's.
    a_ = HostProcess::start(sweeping_host(/*lease_s=*/30));
    {
        HttpClient http("127.0.0.1", a_->port());
        // 4-second activations: time to sell them all before the first one expires.
        const std::string config =
            otpdesk_config_with({{"window_s = 1200", "window_s = 4"}, {"cancel_from_s = 120", "cancel_from_s = 0"}});
        tenant_ = OperatorApi(http, a_->operator_key()).new_tenant("two hosts", false, config);
    }
    const ServerUrl url = ServerUrl::parse(a_->database_url());
    HttpClient http("127.0.0.1", a_->port());
    TenantApi api(http, tenant_);
    const std::string account = api.new_account(deposit_minor, "killed-host-customer");
    std::vector<Sold> sold;
    for (int i = 0; i < 21; ++i) sold.push_back({api.new_activation(account), account, false});

    // The customer's account row is locked by an operator's session for 9 s, before the orders
    // expire (4 s after their purchase): a's sweeper claims the whole batch (its orders and
    // timers locked), decides it, writes the orders, deletes the timers and inserts the events,
    // and then waits for the account to refund into. That is where it is killed.
    const bool postgresql = url.scheme == "postgresql";
    BackgroundSql lock(url, "BEGIN; SELECT id FROM accounts WHERE id = '" + account + "' FOR UPDATE; " +
                                (postgresql ? "SELECT pg_sleep(9)" : "DO SLEEP(9)") + "; COMMIT");
    ASSERT_TRUE(wait_for_lock_waiters(url, 1)) << "host a's sweeper never waited for the account";
    // Host b starts beside it; its sweeper waits for the orders a's batch holds.
    b_ = HostProcess::start_beside(*a_, sweeping_host(/*lease_s=*/30));
    ASSERT_TRUE(wait_for_lock_waiters(url, 2)) << "host b's sweeper never waited for a's batch";

    const double refunded_by_a = refunds_counted_by(a_->port());
    EXPECT_EQ(refunded_by_a, 0.0) << "a's only batch cannot have committed";
    ::kill(a_->pid(), SIGKILL);
    EXPECT_EQ(a_->wait(), "signal 9");
    // Nothing of a's batch is left: no lease to wait for, no order decided. b takes the batch
    // over as soon as the server has ended a's session and waits for the account in turn; its
    // orders are open until then.
    HttpClient b_http("127.0.0.1", b_->port());
    TenantApi b_api(b_http, tenant_);
    EXPECT_EQ(std::stoi(run_sql(url, "SELECT count(*) FROM timers WHERE lease_owner IS NOT NULL")), 0);
    for (const Sold& order : sold) {
        EXPECT_FALSE(b_api.order(order.id).expect(200).json()["final"].boolean()) << order.id;
    }

    // The account's lock goes after 9 s: b applies every timer, each once.
    EXPECT_EQ(lock.wait(), "exit 0");
    expect_each_order_ended_once(b_api, sold);
    EXPECT_EQ(b_api.balance(account), deposit_minor) << "every activation refunded, none twice";
    EXPECT_EQ(refunds_counted_by(b_->port()), static_cast<double>(sold.size()));
    require_audit_clean(*b_);
}

}  // namespace
}  // namespace billing::integration
