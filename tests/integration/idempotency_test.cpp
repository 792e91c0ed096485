// Idempotency-Key over HTTP (DESIGN §7): the same key and body replays the stored status and
// body with Idempotent-Replayed: true and moves no money again; the same key with another
// request is 422; while the first runs, 409; a stored denial stays a denial; a request that
// moves money without a key is 400.
#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

#include "otpdesk_fixture.hpp"

namespace billing::integration {
namespace {

using IdempotencyTest = OtpDeskTest;

// A problem's members but its request_id, which is each answer's own (its X-Request-Id).
std::string without_request_id(const Response& problem) {
    Json body = problem.json();
    std::string text;
    for (const char* member : {"type", "title", "status", "detail", "code", "available_at"}) {
        if (body.has(member)) text += std::string(member) + "=" + body[member].dump() + "\n";
    }
    return text;
}

// The stored answer: the same status and body, except that a problem's request_id is the
// replaying request's own X-Request-Id (its log line is the one that answered it).
::testing::AssertionResult is_replay_of(const Response& replay, const Response& original) {
    const bool problem = original.status >= 400;
    const bool same_body = problem ? without_request_id(replay) == without_request_id(original) &&
                                         replay.json().has("request_id") &&
                                         replay.json()["request_id"].str() == replay.header("x-request-id")
                                   : replay.body == original.body;
    if (replay.status != original.status || !same_body) {
        return ::testing::AssertionFailure()
               << "not the stored answer:\n  original " << original.describe() << "\n  replay   " << replay.describe();
    }
    if (replay.header("idempotent-replayed") != "true") {
        return ::testing::AssertionFailure() << "no Idempotent-Replayed: true on " << replay.describe();
    }
    if (replay.header("content-type") != original.header("content-type")) {
        return ::testing::AssertionFailure()
               << "content type " << replay.header("content-type") << " vs " << original.header("content-type");
    }
    return ::testing::AssertionSuccess();
}

TEST_F(IdempotencyTest, ADepositReplayedGetsTheStoredAnswerAndMovesNoMoney) {
    const std::string account = api().new_account();
    const std::string key = fresh_key();
    const Response first = api().deposit(account, 500, key);
    ASSERT_EQ(first.status, 200) << first.describe();
    EXPECT_FALSE(first.has_header("idempotent-replayed"));
    EXPECT_EQ(first.json()["balance_minor"].i64(), 500);

    api().deposit(account, 100).expect(200);
    // The stored answer, not a new one: it still shows the balance right after the first deposit.
    const Response again = api().deposit(account, 500, key);
    EXPECT_TRUE(is_replay_of(again, first));
    EXPECT_EQ(api().balance(account), 600);
    EXPECT_EQ(api().transfers(account).expect(200).json()["data"].size(), 2U);
}

TEST_F(IdempotencyTest, APurchaseReplayedAfterTheClockMovedIsStillTheStoredAnswer) {
    const std::string key = fresh_key();
    const Response first = api().buy_activation(account_, "telegram", "us", key);
    ASSERT_EQ(first.status, 201) << first.describe();
    const std::string id = first.json()["id"].str();

    // The live order now shows another cancel preview; the replay is the answer as it was sent.
    api().move_clock_to(at(api().created_at(id), 3));
    const Response again = api().buy_activation(account_, "telegram", "us", key);
    EXPECT_TRUE(is_replay_of(again, first));
    EXPECT_EQ(api().orders("account_id=" + account_).expect(200).json()["data"].size(), 1U);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
    EXPECT_EQ(transfers().size(), 2U);
}

TEST_F(IdempotencyTest, ACancelReplayedRefundsOnce) {
    const std::string id = api().new_activation(account_);
    api().move_clock_to(at(api().created_at(id), 2));
    const std::string key = fresh_key();
    const Response first = api().cancel(id, key);
    ASSERT_EQ(first.status, 200) << first.describe();
    const Response again = api().cancel(id, key);
    EXPECT_TRUE(is_replay_of(again, first));
    EXPECT_EQ(balance(), deposit_minor);
    EXPECT_EQ(transfers().size(), 3U);
}

TEST_F(IdempotencyTest, ADeniedCancelReplayedStaysDeniedAfterTheWindowOpens) {
    const std::string id = api().new_activation(account_);
    const UtcMs created = api().created_at(id);
    api().move_clock_to(at(created, 1));
    const std::string key = fresh_key();
    const Response first = api().cancel(id, key);
    ASSERT_TRUE(denied(first, "cancel_too_early", at(created, 2)));

    api().move_clock_to(at(created, 2));
    const Response again = api().cancel(id, key);
    EXPECT_TRUE(is_replay_of(again, first));
    EXPECT_EQ(order(id)["state"].str(), "active");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    // A new key is a new request, decided now.
    const Response fresh = api().cancel(id);
    ASSERT_EQ(fresh.status, 200) << fresh.describe();
    EXPECT_EQ(balance(), deposit_minor);
}

TEST_F(IdempotencyTest, AReplayedDenialCarriesTheReplayingRequestsId) {
    const std::string id = api().new_activation(account_);
    const std::string key = fresh_key();
    const RequestOptions first_options{api().keys().service, key, "cancel-first"};
    const Response first = http().post("/v1/orders/" + id + "/cancel", "{}", first_options);
    ASSERT_TRUE(denied(first, "cancel_too_early", at(api().created_at(id), 2)));
    EXPECT_EQ(first.json()["request_id"].str(), "cancel-first");

    const Response again =
        http().post("/v1/orders/" + id + "/cancel", "{}", {api().keys().service, key, "cancel-again"});
    EXPECT_TRUE(is_replay_of(again, first));
    EXPECT_EQ(again.header("x-request-id"), "cancel-again");
    EXPECT_EQ(again.json()["request_id"].str(), "cancel-again");
}

TEST_F(IdempotencyTest, WhitespaceAndMemberOrderDoNotMakeAnotherRequest) {
    const std::string account = api().new_account();
    const std::string key = fresh_key();
    const std::string deposits = "/v1/accounts/" + account + "/deposits";
    const RequestOptions keyed{api().keys().service, key, ""};
    const Response first = http().post(deposits, R"({"amount_minor":2000})", keyed);
    ASSERT_EQ(first.status, 200) << first.describe();
    for (const char* same :
         {R"({"amount_minor": 2000})", "{\n  \"amount_minor\" : 2000\n}\n", R"( {"amount_minor":2000} )"}) {
        EXPECT_TRUE(is_replay_of(http().post(deposits, same, keyed), first)) << same;
    }
    const Response other = http().post(deposits, R"({"amount_minor": 2001})", keyed);
    EXPECT_EQ(other.status, 422) << other.describe();
    EXPECT_EQ(other.problem_code(), "idempotency_key_reused");
    EXPECT_EQ(api().balance(account), 2000);

    // Members in another order, nested ones too, are the same purchase; another value is not.
    const std::string order_key = fresh_key();
    const RequestOptions order_keyed{api().keys().service, order_key, ""};
    const Response bought =
        http().post("/v1/orders",
                    R"({"account_id":")" + account_ +
                        R"(","product":"activation","attributes":{"service":"telegram","country":"us"}})",
                    order_keyed);
    ASSERT_EQ(bought.status, 201) << bought.describe();
    const Response reordered = http().post(
        "/v1/orders",
        R"({ "attributes": {"country": "us", "service": "telegram"}, "product": "activation", "account_id": ")" +
            account_ + R"(" })",
        order_keyed);
    EXPECT_TRUE(is_replay_of(reordered, bought));
    const Response added =
        http().post("/v1/orders",
                    R"({"account_id":")" + account_ +
                        R"(","product":"activation","attributes":{"service":"telegram","country":"us"},)"
                        R"("numbers":{}})",
                    order_keyed);
    EXPECT_EQ(added.problem_code(), "idempotency_key_reused") << added.describe();
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
}

TEST_F(IdempotencyTest, TheSameKeyForAnotherRequestIs422AndRunsNothing) {
    const std::string account = api().new_account();
    const std::string key = fresh_key();
    api().deposit(account, 500, key).expect(200);

    const Response other_amount = api().deposit(account, 501, key);
    EXPECT_EQ(other_amount.status, 422) << other_amount.describe();
    EXPECT_EQ(other_amount.problem_code(), "idempotency_key_reused");
    const Response other_route = api().buy_activation(account_, "telegram", "us", key);
    EXPECT_EQ(other_route.status, 422) << other_route.describe();
    EXPECT_EQ(other_route.problem_code(), "idempotency_key_reused");

    const std::string order_key = fresh_key();
    api().buy_activation(account_, "telegram", "us", order_key).expect(201);
    const Response other_service = api().buy_activation(account_, "whatsapp", "us", order_key);
    EXPECT_EQ(other_service.status, 422) << other_service.describe();
    EXPECT_EQ(other_service.problem_code(), "idempotency_key_reused");

    EXPECT_EQ(api().balance(account), 500);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
    EXPECT_EQ(api().orders("account_id=" + account_).expect(200).json()["data"].size(), 1U);
}

TEST_F(IdempotencyTest, RequestsThatMoveMoneyWithoutAKeyAre400) {
    const std::string id = api().new_activation(account_);
    api().move_clock_to(at(api().created_at(id), 2));

    const Response deposit = api().deposit(account_, 100, std::nullopt);
    const Response purchase = api().buy_activation(account_, "telegram", "us", std::nullopt);
    const Response cancel = api().cancel(id, std::nullopt);
    for (const Response* r : {&deposit, &purchase, &cancel}) {
        EXPECT_EQ(r->status, 400) << r->describe();
        EXPECT_EQ(r->problem_code(), "idempotency_key_required") << r->describe();
        EXPECT_EQ(r->header("content-type"), "application/problem+json");
    }
    EXPECT_EQ(order(id)["state"].str(), "active");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
    EXPECT_EQ(transfers().size(), 2U);
}

TEST_F(IdempotencyTest, AKeyIsOneTo255Characters) {
    const Response empty = api().deposit(account_, 100, std::string());
    EXPECT_EQ(empty.status, 400) << empty.describe();
    const Response long_key = api().deposit(account_, 100, std::string(256, 'k'));
    EXPECT_EQ(long_key.status, 400) << long_key.describe();
    EXPECT_EQ(api().deposit(account_, 100, std::string(255, 'k')).status, 200);
    EXPECT_EQ(balance(), deposit_minor + 100);
}

TEST_F(IdempotencyTest, ARefusedPurchaseStoresNothingSoItsRetryMayRun) {
    const std::string poor = api().new_account(100);
    const std::string key = fresh_key();
    const Response refused = api().buy_activation(poor, "telegram", "us", key);
    ASSERT_EQ(refused.problem_code(), "insufficient_funds") << refused.describe();

    api().deposit(poor, telegram_us_minor).expect(200);
    const Response retried = api().buy_activation(poor, "telegram", "us", key);
    ASSERT_EQ(retried.status, 201) << retried.describe();
    EXPECT_FALSE(retried.has_header("idempotent-replayed"));
    EXPECT_EQ(api().balance(poor), 100);
    EXPECT_TRUE(is_replay_of(api().buy_activation(poor, "telegram", "us", key), retried));
}

TEST_F(IdempotencyTest, KeysBelongToTheirTenant) {
    const std::string key = fresh_key();
    api().deposit(account_, 100, key).expect(200);

    TenantApi other(http(), new_tenant());
    const std::string theirs = other.new_account();
    const Response same_key = other.deposit(theirs, 100, key);
    ASSERT_EQ(same_key.status, 200) << same_key.describe();
    EXPECT_FALSE(same_key.has_header("idempotent-replayed"));
    EXPECT_EQ(other.balance(theirs), 100);
    EXPECT_EQ(balance(), deposit_minor + 100);
}

// Eight clients send the same request with the same key at once, several rounds: each answer is
// the stored one or 409 idempotency_in_flight, exactly one ran, and exactly one order and one
// charge exist per round.
TEST_F(IdempotencyTest, ConcurrentRequestsWithOneKeyRunOnce) {
    constexpr int threads_n = 8;
    constexpr int rounds_n = 20;
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (int i = 0; i < threads_n; ++i) {
        clients.push_back(std::make_unique<HttpClient>("127.0.0.1", host().port()));
        clients.back()->get("/livez").expect(200);  // connected before the race
    }
    for (int round = 0; round < rounds_n; ++round) {
        const std::string key = fresh_key();
        const bool purchase = round % 2 == 0;
        std::vector<Response> answers(threads_n);
        std::vector<std::string> errors(threads_n);
        std::latch start(threads_n);
        std::vector<std::thread> threads;
        for (int i = 0; i < threads_n; ++i) {
            threads.emplace_back([&, i] {
                TenantApi mine(*clients[static_cast<std::size_t>(i)], api().keys());
                start.arrive_and_wait();
                try {
                    answers[static_cast<std::size_t>(i)] = purchase
                                                               ? mine.buy_activation(account_, "telegram", "us", key)
                                                               : mine.deposit(account_, 7, key);
                } catch (const std::exception& e) {
                    errors[static_cast<std::size_t>(i)] = e.what();
                }
            });
        }
        for (std::thread& t : threads) t.join();

        int originals = 0;
        int in_flight = 0;
        const Response* original = nullptr;
        for (int i = 0; i < threads_n; ++i) {
            const Response& r = answers[static_cast<std::size_t>(i)];
            ASSERT_TRUE(errors[static_cast<std::size_t>(i)].empty()) << errors[static_cast<std::size_t>(i)];
            if (r.status == 409) {
                EXPECT_EQ(r.problem_code(), "idempotency_in_flight") << r.describe();
                ++in_flight;
            } else if (!r.has_header("idempotent-replayed")) {
                ++originals;
                original = &r;
            }
        }
        ASSERT_EQ(originals, 1) << "round " << round;
        EXPECT_EQ(original->status, purchase ? 201 : 200) << original->describe();
        for (const Response& r : answers) {
            if (&r != original && r.status != 409) {
                EXPECT_TRUE(is_replay_of(r, *original)) << "round " << round;
            }
        }
        // Once the first has finished, the key only replays.
        TenantApi later(http(), api().keys());
        const Response replay =
            purchase ? later.buy_activation(account_, "telegram", "us", key) : later.deposit(account_, 7, key);
        EXPECT_TRUE(is_replay_of(replay, *original));
        std::cout << "round " << round << ": 1 ran, " << in_flight << " in flight, " << threads_n - 1 - in_flight
                  << " replayed\n";
    }
    constexpr int purchases = (rounds_n + 1) / 2;
    constexpr int deposits = rounds_n / 2;
    EXPECT_EQ(api().orders("account_id=" + account_).expect(200).json()["data"].size(),
              static_cast<std::size_t>(purchases));
    EXPECT_EQ(balance(), deposit_minor - purchases * telegram_us_minor + deposits * 7);
    EXPECT_EQ(transfers().size(), static_cast<std::size_t>(1 + purchases + deposits));
}

}  // namespace
}  // namespace billing::integration
