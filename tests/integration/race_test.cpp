// Requests racing the test clock at a boundary, over HTTP: whichever commits first, each order
// ends in one consistent state with the money to match, and every timer runs exactly once.
#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

#include "otpdesk_fixture.hpp"

namespace billing::integration {
namespace {

using RaceTest = OtpDeskTest;

// A code at 19:59.999 against the advance to 20:00.000: either the code counts (delivered, then
// completed, captured) or the window closed first (expired, refunded, the code refused).
TEST_F(RaceTest, ACodeRacingTheEndOfTheWindowEndsOneWayWithTheMoneyToMatch) {
    constexpr int rounds_n = 12;
    HttpClient second("127.0.0.1", host().port());
    TenantApi clock_mover(second, api().keys());
    int delivered = 0;
    for (int round = 0; round < rounds_n; ++round) {
        const std::string id = api().new_activation(account_);
        const UtcMs created = api().created_at(id);
        api().move_clock_to(at(created, 19, 59, 999));
        const std::int64_t balance_before = balance();

        Response code;
        Response moved;
        std::latch start(2);
        std::thread mover([&] {
            start.arrive_and_wait();
            moved = clock_mover.advance_to(at(created, 20));
        });
        start.arrive_and_wait();
        code = api().message(id, "telegram");
        mover.join();
        ASSERT_EQ(moved.status, 200) << moved.describe();

        const Json final_order = order(id);
        if (code.status == 200) {
            ++delivered;
            EXPECT_EQ(final_order["state"].str(), "completed");
            EXPECT_EQ(final_order["captured_minor"].i64(), telegram_us_minor);
            EXPECT_EQ(balance(), balance_before);
        } else {
            EXPECT_TRUE(denied(code, "order_closed"));
            EXPECT_EQ(final_order["state"].str(), "expired");
            EXPECT_EQ(final_order["refunded_minor"].i64(), telegram_us_minor);
            EXPECT_EQ(balance(), balance_before + telegram_us_minor);
        }
        EXPECT_EQ(final_order["held_minor"].i64(), 0);
    }
    std::cout << delivered << " of " << rounds_n << " codes came first\n";
}

// Two clients advance the same clock to the same time at once: each due timer runs once.
TEST_F(RaceTest, TwoAdvancesAtOnceRunEachTimerOnce) {
    constexpr int orders_n = 10;
    for (int i = 0; i < orders_n; ++i) api().new_activation(account_);
    const UtcMs now = api().clock_now();
    HttpClient second("127.0.0.1", host().port());
    TenantApi other(second, api().keys());

    Response a;
    Response b;
    std::latch start(2);
    std::thread t([&] {
        start.arrive_and_wait();
        b = other.advance_to(at(now, 20));
    });
    start.arrive_and_wait();
    a = api().advance_to(at(now, 20));
    t.join();
    ASSERT_EQ(a.status, 200) << a.describe();
    ASSERT_EQ(b.status, 200) << b.describe();
    EXPECT_EQ(a.json()["applied"].i64() + b.json()["applied"].i64(), orders_n) << a.body << "\n" << b.body;
    EXPECT_EQ(balance(), deposit_minor);
    EXPECT_EQ(transfers().size(), static_cast<std::size_t>(1 + 2 * orders_n));
    EXPECT_EQ(api().orders("state=expired&limit=100").expect(200).json()["data"].size(),
              static_cast<std::size_t>(orders_n));
}

// Eight clients each run fn(client index, their TenantApi) at once; returns their answers.
template <typename Fn>
std::vector<Response> all_at_once(std::uint16_t port, const TenantKeys& keys, Fn fn) {
    constexpr int clients_n = 8;
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (int i = 0; i < clients_n; ++i) {
        clients.push_back(std::make_unique<HttpClient>("127.0.0.1", port));
        clients.back()->get("/livez").expect(200);
    }
    std::vector<Response> answers(clients_n);
    std::latch start(clients_n);
    std::vector<std::thread> threads;
    for (int i = 0; i < clients_n; ++i) {
        threads.emplace_back([&, i] {
            TenantApi api(*clients[static_cast<std::size_t>(i)], keys);
            start.arrive_and_wait();
            answers[static_cast<std::size_t>(i)] = fn(i, api);
        });
    }
    for (std::thread& t : threads) t.join();
    return answers;
}

// Eight cancels of one order, each with its own key, at once: one refund.
TEST_F(RaceTest, ConcurrentCancelsOfOneOrderRefundOnce) {
    const std::string id = api().new_activation(account_);
    api().move_clock_to(at(api().created_at(id), 2));
    const auto answers =
        all_at_once(host().port(), api().keys(), [&](int, TenantApi& mine) { return mine.cancel(id); });
    int cancelled = 0;
    for (const Response& r : answers) {
        if (r.status == 200) {
            ++cancelled;
        } else {
            EXPECT_TRUE(denied(r, "order_closed"));
        }
    }
    EXPECT_EQ(cancelled, 1);
    EXPECT_EQ(balance(), deposit_minor);
    EXPECT_EQ(transfers().size(), 3U);
}

// Eight purchases from an account that can pay for four: four are sold, the balance ends at 0.
TEST_F(RaceTest, ConcurrentPurchasesNeverOverdrawTheAccount) {
    const std::string account = api().new_account(4 * telegram_us_minor);
    const auto answers =
        all_at_once(host().port(), api().keys(), [&](int, TenantApi& mine) { return mine.buy_activation(account); });
    int sold = 0;
    for (const Response& r : answers) {
        if (r.status == 201) {
            ++sold;
        } else {
            EXPECT_EQ(r.problem_code(), "insufficient_funds") << r.describe();
        }
    }
    EXPECT_EQ(sold, 4);
    EXPECT_EQ(api().balance(account), 0);
    EXPECT_EQ(api().orders("account_id=" + account).expect(200).json()["data"].size(), 4U);
}

}  // namespace
}  // namespace billing::integration
