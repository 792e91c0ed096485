// The planner alone, no database: what a purchase and a decision write (order, timers, event,
// transfers), and the ledger invariant check that refuses a plan at the exact boundary of each
// rule, whatever the policy answered.
#include "write_plan.hpp"

#include <gtest/gtest.h>

#include "billing/storage/engine_errors.hpp"
#include "billing/storage/ledger.hpp"

namespace billing {
namespace {

const ledger::SystemAccounts system_accounts{"acc_funding", "acc_escrow", "acc_revenue"};
const std::string policy = "otpdesk@1.0.0";
const std::string event_id = "evt_1";
const std::string order_id = "ord_1";
const std::string tenant_id = "ten_1";
const std::string account_id = "acc_customer";

sdk::ProductInfo rental() {
    sdk::ProductInfo product;
    product.name = "rental";
    product.states = {"active", "closed"};
    product.final_states = {"closed"};
    return product;
}

write_plan::Common common(UtcMs now_ms = 1000) { return {system_accounts, policy, event_id, now_ms, 5000}; }

// An open order that charged `charged`, captured `captured` and refunded as given.
OrderRecord order_of(MinorUnits charged, MinorUnits captured = 0, MinorUnits from_escrow = 0,
                     MinorUnits from_revenue = 0) {
    OrderRecord o;
    o.id = order_id;
    o.tenant_id = tenant_id;
    o.account_id = account_id;
    o.product = "rental";
    o.state = "active";
    o.price_minor = charged;
    o.charged_minor = charged;
    o.captured_minor = captured;
    o.refunded_from_escrow_minor = from_escrow;
    o.refunded_from_revenue_minor = from_revenue;
    o.policy = policy;
    o.version = 3;
    o.created_at_ms = 100;
    o.updated_at_ms = 900;
    return o;
}

sdk::Event cancel() {
    sdk::Event e;
    e.type = sdk::event_type::cancel;
    e.actor = "customer";
    return e;
}

Result<write_plan::Plan> decide(const OrderRecord& before, const sdk::Decision& d, UtcMs now_ms = 1000) {
    const sdk::ProductInfo product = rental();
    const sdk::Event event = cancel();
    return write_plan::plan_decision({before, d, event, product}, common(now_ms));
}

sdk::Decision moving(std::vector<sdk::MoneyMove> moves) {
    sdk::Decision d = sdk::allow();
    d.moves = std::move(moves);
    return d;
}

void expect_invariant_breach(const Result<write_plan::Plan>& plan, const std::string& words) {
    ASSERT_FALSE(plan);
    EXPECT_EQ(plan.error().code, engine_error::ledger_violation);
    EXPECT_NE(plan.error().message.find("ledger invariant broken by " + policy + " on order " + order_id),
              std::string::npos)
        << plan.error().message;
    EXPECT_NE(plan.error().message.find(words), std::string::npos) << plan.error().message;
}

TEST(WritePlan, PurchaseInsertsTheOrderChargesThePriceIntoEscrowAndAddsItsTimers) {
    sdk::Quote quote;
    quote.allowed = true;
    quote.state = "active";
    quote.price_minor = 700;
    quote.timers = {{"expire", 9000}};
    const sdk::ProductInfo product = rental();
    auto plan = write_plan::plan_purchase({order_id, tenant_id, account_id, quote, product}, common());
    ASSERT_TRUE(plan) << plan.error().message;
    const write_plan::Plan& p = plan.value();
    EXPECT_EQ(p.order.expected_version, 0);  // inserted
    EXPECT_EQ(p.order.order.version, 1);
    EXPECT_EQ(p.order.order.charged_minor, 700);
    EXPECT_FALSE(p.closed);
    ASSERT_EQ(p.add_timers.size(), 1U);
    EXPECT_EQ(p.add_timers[0].due_at_ms, 9000);
    EXPECT_EQ(p.event.seq, 1);
    EXPECT_EQ(p.event.type, events::purchase_type);
    EXPECT_EQ(p.event.created_at_ms, 5000);
    ASSERT_EQ(p.transfers.size(), 1U);
    EXPECT_EQ(p.transfers[0].kind, ledger::transfer_kind::purchase);
    EXPECT_EQ(p.transfers[0].debit_account_id, account_id);
    EXPECT_EQ(p.transfers[0].credit_account_id, system_accounts.escrow);
    EXPECT_EQ(p.transfers[0].amount_minor, 700);
}

TEST(WritePlan, AFreePurchaseMovesNoMoney) {
    sdk::Quote quote;
    quote.allowed = true;
    quote.state = "closed";
    const sdk::ProductInfo product = rental();
    auto plan = write_plan::plan_purchase({order_id, tenant_id, account_id, quote, product}, common());
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_TRUE(plan.value().transfers.empty());
    EXPECT_TRUE(plan.value().closed);
    EXPECT_EQ(plan.value().order.order.closed_at_ms, 1000);
}

TEST(WritePlan, DecisionBumpsTheVersionAndRecordsTheEventAtTheNewVersion) {
    sdk::Decision d = moving({{sdk::MoveKind::refund, 700}});
    d.new_state = "closed";
    d.drop_timers = {"expire"};
    auto plan = decide(order_of(700), d);
    ASSERT_TRUE(plan) << plan.error().message;
    const write_plan::Plan& p = plan.value();
    EXPECT_EQ(p.order.expected_version, 3);
    EXPECT_EQ(p.order.order.version, 4);
    EXPECT_EQ(p.event.seq, 4);
    EXPECT_EQ(p.event.type, sdk::event_type::cancel);
    EXPECT_EQ(p.drop_timers, std::vector<std::string>{"expire"});
    EXPECT_TRUE(p.closed);
    EXPECT_EQ(p.refunded_minor, 700);
    EXPECT_EQ(p.order.order.refunded_from_escrow_minor, 700);
    ASSERT_EQ(p.transfers.size(), 1U);
    EXPECT_EQ(p.transfers[0].debit_account_id, system_accounts.escrow);
    EXPECT_EQ(p.transfers[0].credit_account_id, account_id);
    EXPECT_EQ(p.transfers[0].event_id, event_id);
}

TEST(WritePlan, ALateDecisionNeverMovesTheOrdersDecisionTimeBackwards) {
    auto plan = decide(order_of(700), sdk::allow(), /*now_ms=*/800);  // the order was decided at 900
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan.value().order.order.updated_at_ms, 900);
    EXPECT_EQ(plan.value().event.now_ms, 800);
}

TEST(WritePlan, RefundFromEscrowUpToWhatEscrowHoldsAndNotOneUnitMore) {
    // charged 700, captured 200: escrow holds 500 for the order.
    EXPECT_TRUE(decide(order_of(700, 200), moving({{sdk::MoveKind::refund, 500}})));
    expect_invariant_breach(decide(order_of(700, 200), moving({{sdk::MoveKind::refund, 501}})),
                            "captured 200 + refunded from escrow 501 exceed charged 700");
}

TEST(WritePlan, CaptureUpToWhatEscrowHoldsAndNotOneUnitMore) {
    EXPECT_TRUE(decide(order_of(700, 0, 100), moving({{sdk::MoveKind::capture, 600}})));
    expect_invariant_breach(decide(order_of(700, 0, 100), moving({{sdk::MoveKind::capture, 601}})),
                            "captured 601 + refunded from escrow 100 exceed charged 700");
}

TEST(WritePlan, RefundAfterCaptureUpToWhatWasCapturedAndNotOneUnitMore) {
    // captured 700, of which 300 already refunded from revenue: 400 more may go back.
    EXPECT_TRUE(decide(order_of(700, 700, 0, 300), moving({{sdk::MoveKind::refund_captured, 400}})));
    expect_invariant_breach(decide(order_of(700, 700, 0, 300), moving({{sdk::MoveKind::refund_captured, 401}})),
                            "refunded from revenue 701 exceeds captured 700");
}

TEST(WritePlan, ChargesUpToTheOrdersCapAndNotOneUnitMore) {
    const MinorUnits room = order_charged_minor_max - 700;
    ASSERT_LE(room, amount_minor_max * 4);
    // Moves of at most amount_minor_max each, summing to exactly the room left.
    std::vector<sdk::MoneyMove> moves;
    for (MinorUnits left = room; left > 0; left -= std::min(left, amount_minor_max)) {
        moves.push_back({sdk::MoveKind::charge, std::min(left, amount_minor_max)});
    }
    EXPECT_TRUE(decide(order_of(700), moving(moves)));
    moves.push_back({sdk::MoveKind::charge, 1});
    expect_invariant_breach(decide(order_of(700), moving(moves)), "past " + std::to_string(order_charged_minor_max));
}

TEST(WritePlan, AMoveAmountOutsideOneToTheMaximumIsRefused) {
    EXPECT_TRUE(decide(order_of(amount_minor_max), moving({{sdk::MoveKind::refund, amount_minor_max}})));
    expect_invariant_breach(decide(order_of(700), moving({{sdk::MoveKind::charge, 0}})), "breaks the ledger's rules");
    expect_invariant_breach(decide(order_of(amount_minor_max), moving({{sdk::MoveKind::charge, amount_minor_max + 1}})),
                            "breaks the ledger's rules");
}

TEST(WritePlan, TheInvariantCheckSeesATransferBetweenTheWrongAccounts) {
    auto plan = decide(order_of(700), moving({{sdk::MoveKind::refund, 100}}));
    ASSERT_TRUE(plan);
    write_plan::Plan p = std::move(plan).value();
    EXPECT_FALSE(write_plan::invariant_breach(p, system_accounts));
    p.transfers[0].debit_account_id = system_accounts.revenue;  // a refund must come out of escrow
    EXPECT_EQ(write_plan::invariant_breach(p, system_accounts),
              std::optional<std::string>("a refund transfer between accounts its kind does not name"));
}

}  // namespace
}  // namespace billing
