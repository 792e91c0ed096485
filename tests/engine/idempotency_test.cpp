// Idempotency-Keys through the engine: the stored answer is built from what the transaction did
// (the new order's id, the apply's verdict), a replay returns it without running anything, a
// denial is replayed as that denial, and a key is never reused for another request.
#include <gmock/gmock.h>

#include "billing/storage/engine_errors.hpp"
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

using ::testing::HasSubstr;
using Idempotency = EngineTest;

const std::string hash_a(64, 'a');
const std::string hash_b(64, 'b');

IdempotencyKey<PurchaseResult> order_key(const std::string& key, const std::string& hash) {
    return {key, hash, [](const PurchaseResult& p) {
                const OrderRecord& o = p.order;
                return IdempotencyResponse{201, "{\"order\":\"" + o.id + "\",\"state\":\"" + o.state + "\"}"};
            }};
}

IdempotencyKey<EventResult> apply_key(const std::string& key, const std::string& hash) {
    return {key, hash, [](const EventResult& e) {
                const ApplyResult& r = e.applied;
                return IdempotencyResponse{r.allowed ? 200 : 409,
                                           "{\"code\":\"" + r.code + "\",\"state\":\"" + r.order.state + "\"}"};
            }};
}

IdempotencyKey<AccountRecord> deposit_key(const std::string& key, const std::string& hash) {
    return {key, hash, [](const AccountRecord& a) {
                return IdempotencyResponse{201, "{\"balance\":" + std::to_string(a.balance_minor) + "}"};
            }};
}

sdk::Event customer_event(const char* type) {
    sdk::Event e;
    e.type = type;
    e.actor = "customer";
    return e;
}

void expect_same_answer(const IdempotencyResponse& first, const IdempotencyResponse& again) {
    EXPECT_EQ(first.status_code, again.status_code);
    EXPECT_EQ(first.body, again.body);
}

const sdk::PurchaseRequest activation{"activation", {{"service", "facebook"}, {"country", "de"}}, {}};

TEST_F(Idempotency, PurchaseStoresTheNewOrderIdAndReplaysWithoutBuyingAgain) {
    make_tenant(1000);
    auto first = engine->purchase(*policy, tenant_id, customer_id, activation, at(0), order_key("buy-1", hash_a));
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_FALSE(first.value().replayed);
    ASSERT_TRUE(first.value().result);
    const std::string order = first.value().result->order.id;
    EXPECT_THAT(first.value().response.body, HasSubstr(order)) << "built after the order existed";

    auto again = engine->purchase(*policy, tenant_id, customer_id, activation, at(1), order_key("buy-1", hash_a));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again.value().replayed);
    EXPECT_FALSE(again.value().result) << "nothing ran";
    expect_same_answer(first.value().response, again.value().response);
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM orders"));
    EXPECT_EQ(1, transfers_of(order));
    EXPECT_EQ(850, customer());
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers"));
    expect_ledger_consistent();
}

TEST_F(Idempotency, AllowedApplyReplaysWithoutRefundingTwice) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    auto first =
        engine->apply(*policy, tenant_id, order, customer_event("cancel"), at(2), apply_key("cancel-1", hash_a));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(200, first.value().response.status_code);
    EXPECT_TRUE(first.value().result->applied.allowed);

    auto again =
        engine->apply(*policy, tenant_id, order, customer_event("cancel"), at(3), apply_key("cancel-1", hash_a));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again.value().replayed);
    expect_same_answer(first.value().response, again.value().response);
    EXPECT_EQ(2, transfers_of(order)) << "refunded once";
    EXPECT_EQ(2, count("SELECT COUNT(*) FROM events"));
    EXPECT_EQ(1000, customer());
    expect_ledger_consistent();
}

TEST_F(Idempotency, DeniedApplyStoresOnlyTheRecordAndReplaysTheDenial) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    auto denied =
        engine->apply(*policy, tenant_id, order, customer_event("cancel"), at(1), apply_key("cancel-1", hash_a));
    ASSERT_TRUE(denied) << denied.error().message;
    EXPECT_FALSE(denied.value().result->applied.allowed);
    EXPECT_EQ(409, denied.value().response.status_code);
    EXPECT_THAT(denied.value().response.body, HasSubstr("cancel_too_early"));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM idempotency_keys"));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM events")) << "a denial writes no event";
    EXPECT_EQ(1, engine->get_order(tenant_id, order).value().version);

    // The client retries at 3:00, when a fresh cancel would be allowed: it gets its denial back.
    auto retried =
        engine->apply(*policy, tenant_id, order, customer_event("cancel"), at(3), apply_key("cancel-1", hash_a));
    ASSERT_TRUE(retried) << retried.error().message;
    EXPECT_TRUE(retried.value().replayed);
    expect_same_answer(denied.value().response, retried.value().response);
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(850, customer());
    EXPECT_EQ(150, escrow());
    EXPECT_EQ(1, transfers_of(order));
    expect_ledger_consistent();
}

TEST_F(Idempotency, DepositReplaysTheBalanceItLeft) {
    make_tenant();
    auto first = engine->deposit(tenant_id, customer_id, 500, deposit_key("dep-1", hash_a));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ("{\"balance\":500}", first.value().response.body);
    auto again = engine->deposit(tenant_id, customer_id, 500, deposit_key("dep-1", hash_a));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again.value().replayed);
    expect_same_answer(first.value().response, again.value().response);
    EXPECT_EQ(500, customer());
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM transfers"));
}

TEST_F(Idempotency, AKeyOlderThanTheRetentionIsForgottenAndRunsAgain) {
    make_tenant();
    ASSERT_TRUE(engine->deposit(tenant_id, customer_id, 500, deposit_key("dep-1", hash_a)));
    constexpr std::int64_t day_ms = 24 * 3'600'000;
    clock->advance(day_ms - 1);
    auto kept = engine->purge_idempotency_records(day_ms);
    ASSERT_TRUE(kept) << kept.error().message;
    EXPECT_EQ(0, kept.value()) << "1 ms short of 24 h: still replayed";
    EXPECT_TRUE(engine->deposit(tenant_id, customer_id, 500, deposit_key("dep-1", hash_a)).value().replayed);

    clock->advance(1);
    auto purged = engine->purge_idempotency_records(day_ms);
    ASSERT_TRUE(purged) << purged.error().message;
    EXPECT_EQ(0, purged.value()) << "exactly 24 h old: the boundary is kept";
    clock->advance(1);
    purged = engine->purge_idempotency_records(day_ms);
    ASSERT_TRUE(purged) << purged.error().message;
    EXPECT_EQ(1, purged.value());
    auto again = engine->deposit(tenant_id, customer_id, 500, deposit_key("dep-1", hash_a));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_FALSE(again.value().replayed) << "a forgotten key is a new request";
    EXPECT_EQ(1000, customer());
}

TEST_F(Idempotency, AKeyIsNeverReusedForAnotherRequest) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    ASSERT_TRUE(engine->deposit(tenant_id, customer_id, 500, deposit_key("k", hash_a)));
    auto other = engine->apply(*policy, tenant_id, order, customer_event("cancel"), at(2), apply_key("k", hash_b));
    ASSERT_FALSE(other);
    EXPECT_EQ(engine_error::idempotency_key_reused, other.error().code);
    auto other_deposit = engine->deposit(tenant_id, customer_id, 700, deposit_key("k", hash_b));
    ASSERT_FALSE(other_deposit);
    EXPECT_EQ(engine_error::idempotency_key_reused, other_deposit.error().code);
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(1350, customer());
    expect_ledger_consistent();
}

TEST_F(Idempotency, ARecordMatchesTheLegacyHashOfTheSameRequest) {
    // A record stored under the hash of the body's bytes (hash_a) is replayed for a request whose
    // hash is now another (hash_b, of its canonical form) when it names hash_a as its legacy one.
    make_tenant(1000);
    ASSERT_TRUE(engine->deposit(tenant_id, customer_id, 500, deposit_key("dep-1", hash_a)));
    IdempotencyKey<AccountRecord> now_hashed = deposit_key("dep-1", hash_b);
    now_hashed.legacy_request_hash = hash_a;
    auto again = engine->deposit(tenant_id, customer_id, 500, now_hashed);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again.value().replayed);
    // A legacy hash that is not the record's does not match either.
    IdempotencyKey<AccountRecord> other = deposit_key("dep-1", hash_b);
    other.legacy_request_hash = std::string(64, 'c');
    auto refused = engine->deposit(tenant_id, customer_id, 500, other);
    ASSERT_FALSE(refused);
    EXPECT_EQ(engine_error::idempotency_key_reused, refused.error().code);
    EXPECT_EQ(1500, customer());
}

TEST_F(Idempotency, AnErrorStoresNothingSoTheRetryCanSucceed) {
    make_tenant(100);  // less than the 150 an activation costs
    auto poor = engine->purchase(*policy, tenant_id, customer_id, activation, at(0), order_key("buy-1", hash_a));
    ASSERT_FALSE(poor);
    EXPECT_EQ(engine_error::insufficient_funds, poor.error().code);
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM idempotency_keys"));
    ASSERT_TRUE(engine->deposit(tenant_id, customer_id, 100));
    auto retried = engine->purchase(*policy, tenant_id, customer_id, activation, at(1), order_key("buy-1", hash_a));
    ASSERT_TRUE(retried) << retried.error().message;
    EXPECT_FALSE(retried.value().replayed);
    EXPECT_EQ(50, customer());
    expect_ledger_consistent();
}

TEST_F(Idempotency, UnusableKeysAreRefused) {
    make_tenant(1000);
    EXPECT_EQ(engine_error::invalid_request,
              engine->deposit(tenant_id, customer_id, 5, deposit_key("", hash_a)).error().code);
    EXPECT_EQ(engine_error::invalid_request,
              engine->deposit(tenant_id, customer_id, 5, deposit_key(std::string(256, 'k'), hash_a)).error().code);
    EXPECT_EQ(engine_error::invalid_request,
              engine->deposit(tenant_id, customer_id, 5, deposit_key("k", "not-a-hash")).error().code);
    EXPECT_EQ(engine_error::invalid_request,
              engine->deposit(tenant_id, customer_id, 5, IdempotencyKey<AccountRecord>{"k", hash_a, {}}).error().code)
        << "no response builder";
    EXPECT_EQ(1000, customer());
}

}  // namespace
}  // namespace billing::test
