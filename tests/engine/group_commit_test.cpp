// Engine calls in one group-commit batch (billing/storage/database.hpp), on every backend: the
// tenant's escrow row is written once with the batch's sum, the same Idempotency-Key twice in a
// batch runs once and replays, every write decides with the policy it was given, and a batch the
// ledger refuses as a whole commits nothing, after which each write runs alone and gets its own
// exact answer. one_batch.hpp puts the calls into one batch in the order given.
#include <gmock/gmock.h>

#include <optional>

#include "billing/storage/engine_errors.hpp"
#include "billing/storage/ledger.hpp"
#include "engine_fixture.hpp"
#include "one_batch.hpp"

namespace billing::test {
namespace {

using GroupCommitEngine = EngineTest;

const sdk::PurchaseRequest activation{"activation", {{"service", "facebook"}, {"country", "de"}}, {}};
constexpr MinorUnits activation_price = 150;

sdk::Event customer_event(const char* type) {
    sdk::Event e;
    e.type = type;
    e.actor = "customer";
    return e;
}

IdempotencyKey<PurchaseResult> order_key(const std::string& key) {
    return {key, std::string(64, 'a'), [](const PurchaseResult& p) {
                return IdempotencyResponse{201, "{\"order\":\"" + p.order.id + "\"}"};
            }};
}

TEST_F(GroupCommitEngine, PurchasesInOneBatchMoveTheEscrowByTheirSum) {
    make_tenant(1000);
    std::vector<std::optional<Result<PurchaseResult>>> bought(4);
    std::vector<std::function<void()>> calls;
    for (std::size_t i = 0; i < bought.size(); ++i) {
        calls.emplace_back(
            [&, i] { bought[i] = engine->purchase(*policy, tenant_id, customer_id, activation, at(0)); });
    }
    const storage::Database::WriteStats before = db->write_stats();
    run_in_one_batch(*db, calls);
    for (const auto& order : bought) {
        ASSERT_TRUE(order && order->ok()) << (order ? order->error().message : "no answer");
    }
    EXPECT_EQ(before.batches + 1, db->write_stats().batches) << "the four purchases shared one transaction";
    EXPECT_EQ(4 * activation_price, escrow());
    EXPECT_EQ(1000 - 4 * activation_price, customer());
    EXPECT_EQ(4, count("SELECT COUNT(*) FROM orders"));
    expect_ledger_consistent();
}

TEST_F(GroupCommitEngine, APurchaseTheBalanceNoLongerCoversInItsBatchIsRefusedAndTheOthersStand) {
    make_tenant(2 * activation_price);
    std::vector<std::optional<Result<PurchaseResult>>> bought(3);
    std::vector<std::function<void()>> calls;
    for (std::size_t i = 0; i < bought.size(); ++i) {
        calls.emplace_back(
            [&, i] { bought[i] = engine->purchase(*policy, tenant_id, customer_id, activation, at(0)); });
    }
    run_in_one_batch(*db, calls);
    ASSERT_TRUE(bought[0] && bought[1] && bought[2]);
    EXPECT_TRUE(bought[0]->ok());
    EXPECT_TRUE(bought[1]->ok());
    ASSERT_FALSE(bought[2]->ok()) << "the first two spent the balance";
    EXPECT_EQ(engine_error::insufficient_funds, bought[2]->error().code);
    EXPECT_EQ(0, customer());
    EXPECT_EQ(2 * activation_price, escrow());
    EXPECT_EQ(2, count("SELECT COUNT(*) FROM orders"));
    expect_ledger_consistent();
}

TEST_F(GroupCommitEngine, TheSameIdempotencyKeyTwiceInOneBatchBuysOnceAndReplaysTheFirstAnswer) {
    make_tenant(1000);
    std::optional<Result<IdempotentResult<PurchaseResult>>> first, second;
    run_in_one_batch(
        *db,
        {[&] { first = engine->purchase(*policy, tenant_id, customer_id, activation, at(0), order_key("k-1")); },
         [&] { second = engine->purchase(*policy, tenant_id, customer_id, activation, at(0), order_key("k-1")); }});
    ASSERT_TRUE(first && second);
    ASSERT_TRUE(first->ok()) << first->error().message;
    ASSERT_TRUE(second->ok()) << second->error().message;
    EXPECT_FALSE(first->value().replayed);
    EXPECT_TRUE(second->value().replayed) << "it saw the first one's record in their transaction";
    EXPECT_EQ(first->value().response.body, second->value().response.body);
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM orders"));
    EXPECT_EQ(1000 - activation_price, customer());
    expect_ledger_consistent();
}

TEST_F(GroupCommitEngine, EachWriteOfABatchDecidesWithThePolicyItWasGiven) {
    make_tenant(1000);
    const std::string by_otpdesk = buy_activation(at(0));
    const std::string by_other = buy_activation(at(0));
    // Another version of the policy, pinned by the second request: it refuses every cancel.
    const auto refusing = overriding_otpdesk(
        [](const sdk::OrderView&, const sdk::Event& e, const sdk::Context&) -> std::optional<sdk::Decision> {
            if (e.type != sdk::event_type::cancel) return std::nullopt;
            return sdk::deny("cancel_refused_by_v2", "version 2 refuses cancels");
        });
    std::optional<Result<EventResult>> kept, refused;
    run_in_one_batch(
        *db,
        {[&] { kept = engine->apply(*policy, tenant_id, by_otpdesk, customer_event("cancel"), at(2), Preview::none); },
         [&] {
             refused = engine->apply(*refusing, tenant_id, by_other, customer_event("cancel"), at(2), Preview::none);
         }});
    ASSERT_TRUE(kept && refused);
    ASSERT_TRUE(kept->ok()) << kept->error().message;
    ASSERT_TRUE(refused->ok()) << refused->error().message;
    EXPECT_TRUE(kept->value().applied.allowed);
    EXPECT_FALSE(refused->value().applied.allowed);
    EXPECT_EQ("cancel_refused_by_v2", refused->value().applied.code);
    EXPECT_EQ("cancelled", state_of(by_otpdesk));
    EXPECT_NE("cancelled", state_of(by_other));
    EXPECT_EQ(1000 - activation_price, customer()) << "one refund, the other order still held";
    EXPECT_EQ(activation_price, escrow());
    expect_ledger_consistent();
}

TEST_F(GroupCommitEngine, ABatchWhoseEscrowSumTheLedgerRefusesCommitsNothingAndEachWriteRunsAlone) {
    make_tenant(1000);
    // A raw refund out of escrow larger than escrow will ever hold here: inside the batch it only
    // adds to escrow's sum, which the ledger then refuses before COMMIT.
    const ledger::Transfer too_much{.tenant_id = tenant_id,
                                    .debit_account_id = escrow_id,
                                    .credit_account_id = customer_id,
                                    .amount_minor = 10'000,
                                    .kind = ledger::transfer_kind::refund,
                                    .order_id = "",
                                    .event_id = "",
                                    .created_at_ms = at(0)};
    const storage::Database::WriteStats before = db->write_stats();
    std::optional<Result<PurchaseResult>> bought;
    std::optional<Result<std::string>> overdrawn;
    run_in_one_batch(*db, {[&] { bought = engine->purchase(*policy, tenant_id, customer_id, activation, at(0)); },
                           [&] {
                               overdrawn = db->write([&](soci::session& sql) -> Result<std::string> {
                                   return ledger::post(sql, too_much);
                               });
                           }});
    ASSERT_TRUE(bought && overdrawn);
    EXPECT_TRUE(bought->ok()) << "committed alone: " << bought->error().message;
    ASSERT_FALSE(overdrawn->ok());
    EXPECT_EQ(engine_error::ledger_violation, overdrawn->error().code) << overdrawn->error().message;
    const storage::Database::WriteStats after = db->write_stats();
    EXPECT_EQ(before.batches_failed + 1, after.batches_failed);
    EXPECT_EQ(before.writes_alone + 2, after.writes_alone);
    EXPECT_EQ(activation_price, escrow());
    EXPECT_EQ(1000 - activation_price, customer());
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM orders"));
    expect_ledger_consistent();
}

}  // namespace
}  // namespace billing::test
