// The host's checks of a decision, rule by rule, and through the engine with a policy that
// returns a bad decision: nothing is applied, the caller gets policy_violation naming the rule.
#include <gmock/gmock.h>

#include "billing/rules/decision_check.hpp"
#include "billing/storage/engine_errors.hpp"
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

using sdk::MoveKind;
using ::testing::HasSubstr;

sdk::ProductInfo product() {
    sdk::ProductInfo p;
    p.name = "activation";
    p.states = {"active", "done"};
    p.final_states = {"done"};
    p.outcomes = {"ok"};
    return p;
}

sdk::OrderView order_holding(MinorUnits charged, MinorUnits captured, MinorUnits refunded_revenue) {
    sdk::OrderView v;
    v.product = "activation";
    v.state = "active";
    v.charged_minor = charged;
    v.captured_minor = captured;
    v.refunded_from_revenue_minor = refunded_revenue;
    return v;
}

std::string check(const sdk::Decision& d, const sdk::OrderView& v, bool is_final = false, MinorUnits balance = 0) {
    const sdk::ProductInfo p = product();
    return decision_check::violation(d, {v, p, is_final, balance, t0_ms}).value_or("");
}

sdk::Decision moving(std::vector<sdk::MoneyMove> moves) {
    sdk::Decision d = sdk::allow();
    d.moves = std::move(moves);
    return d;
}

TEST(DecisionCheck, MovesWithinWhatEscrowHoldsPass) {
    EXPECT_EQ("", check(moving({{MoveKind::refund, 100}, {MoveKind::capture, 50}}), order_holding(150, 0, 0)));
    EXPECT_EQ("", check(moving({{MoveKind::refund_captured, 30}}), order_holding(150, 150, 120)));
    EXPECT_EQ("", check(moving({{MoveKind::charge, 40}}), order_holding(150, 0, 0), false, 40));
}

TEST(DecisionCheck, EveryMoneyRuleIsNamed) {
    EXPECT_THAT(check(moving({{MoveKind::refund, 0}}), order_holding(150, 0, 0)),
                HasSubstr("move_amount_out_of_range"));
    EXPECT_THAT(check(moving({{MoveKind::refund, 151}}), order_holding(150, 0, 0)), HasSubstr("refund_exceeds_held"));
    EXPECT_THAT(check(moving({{MoveKind::capture, 100}, {MoveKind::refund, 51}}), order_holding(150, 0, 0)),
                HasSubstr("refund_exceeds_held"))
        << "earlier moves of the same decision count";
    EXPECT_THAT(check(moving({{MoveKind::capture, 1}}), order_holding(150, 150, 0)), HasSubstr("capture_exceeds_held"));
    EXPECT_THAT(check(moving({{MoveKind::refund_captured, 31}}), order_holding(150, 150, 120)),
                HasSubstr("refund_captured_exceeds_captured"));
    EXPECT_THAT(check(moving({{MoveKind::charge, 41}}), order_holding(150, 0, 0), false, 40),
                HasSubstr("charge_exceeds_balance"));
    EXPECT_THAT(check(moving({{MoveKind::refund, 10}}), order_holding(150, 0, 0), true),
                HasSubstr("final_order_moves_money"));
}

TEST(DecisionCheck, AFinalOrderMovesMoneyOnlyAsARefundOfWhatWasCaptured) {
    // A support refund after completion comes out of revenue: allowed on a final order.
    EXPECT_EQ("", check(moving({{MoveKind::refund_captured, 150}}), order_holding(150, 150, 0), true));
    EXPECT_THAT(check(moving({{MoveKind::refund_captured, 151}}), order_holding(150, 150, 0), true),
                HasSubstr("refund_captured_exceeds_captured"));
    // Escrow moves on a final order stay refused, even ones the amounts would cover.
    EXPECT_THAT(check(moving({{MoveKind::refund, 10}}), order_holding(150, 0, 0), true),
                HasSubstr("final_order_moves_money"));
    EXPECT_THAT(check(moving({{MoveKind::capture, 10}}), order_holding(150, 0, 0), true),
                HasSubstr("final_order_moves_money"));
    EXPECT_THAT(check(moving({{MoveKind::charge, 10}}), order_holding(150, 150, 0), true, 100),
                HasSubstr("final_order_moves_money"));
    EXPECT_THAT(
        check(moving({{MoveKind::refund_captured, 10}, {MoveKind::refund, 10}}), order_holding(150, 150, 0), true),
        HasSubstr("final_order_moves_money"))
        << "one escrow move spoils the decision";
}

TEST(DecisionCheck, ATimersDecisionMayNotAddATimerDueAtItsOwnNow) {
    const sdk::ProductInfo p = product();
    const sdk::OrderView v = order_holding(150, 0, 0);
    sdk::Decision d = sdk::allow();
    d.add_timers = {{"again", t0_ms}};
    EXPECT_EQ("", decision_check::violation(d, {v, p, false, 0, t0_ms, false}).value_or(""))
        << "a request's decision may arm a timer due at once";
    EXPECT_THAT(decision_check::violation(d, {v, p, false, 0, t0_ms, true}).value_or(""),
                HasSubstr("timer_rearmed_at_now"));
    d.add_timers = {{"again", t0_ms + 1}};
    EXPECT_EQ("", decision_check::violation(d, {v, p, false, 0, t0_ms, true}).value_or(""));
}

TEST(DecisionCheck, StatesTimersAndTermsAreChecked) {
    sdk::Decision d = sdk::allow();
    d.new_state = "teleported";
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("unknown_state"));
    d = sdk::allow();
    d.add_timers = {{"expire", t0_ms - 1}};
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("timer_in_past"));
    d = sdk::allow();
    d.add_timers = {{"expire", t0_ms + 5}, {"expire", t0_ms + 9}};
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("timer_name_duplicate"));
    d = sdk::allow();
    d.set_terms = {{"window_ms", 1}};
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("term_not_adjustable"));
    d = sdk::allow();
    d.outcome = "jackpot";
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("unknown_outcome"));
    EXPECT_EQ("", check(sdk::deny("no", "denials apply nothing"), order_holding(150, 0, 0), true));
}

// Every time the host stores or shows must be printable: up to 9999-12-31T23:59:59.999Z.
TEST(DecisionCheck, NoTimeInAnAnswerPassesTheHostsLastPrintableTime) {
    sdk::Decision d = sdk::allow();
    d.add_timers = {{"expire", sdk::time_ms_max}};
    EXPECT_EQ("", check(d, order_holding(150, 0, 0)));
    d.add_timers = {{"expire", sdk::time_ms_max + 1}};
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("timer_past_time_max"));

    sdk::Quote q;
    q.allowed = true;
    q.code = "ok";
    q.state = "active";
    q.timers = {{"expire", sdk::time_ms_max}};
    EXPECT_EQ(std::nullopt, decision_check::quote_violation(q, product(), 0, t0_ms));
    q.timers = {{"expire", sdk::time_ms_max + 1}};
    EXPECT_THAT(decision_check::quote_violation(q, product(), 0, t0_ms).value_or(""), HasSubstr("timer_past_time_max"));

    // A denial writes nothing, but the API shows its available_at.
    EXPECT_EQ("", check(sdk::deny("later", "", sdk::time_ms_max), order_holding(150, 0, 0)));
    EXPECT_EQ("", check(sdk::deny("later", "", 0), order_holding(150, 0, 0)));
    EXPECT_THAT(check(sdk::deny("later", "", sdk::time_ms_max + 1), order_holding(150, 0, 0)),
                HasSubstr("available_at_out_of_range"));
    EXPECT_THAT(check(sdk::deny("later", "", -1), order_holding(150, 0, 0)), HasSubstr("available_at_out_of_range"));
    // The host's latest now leaves a policy a century for its windows.
    EXPECT_GE(sdk::horizon_ms, 36500 * sdk::ms_per_day);
}

TEST(DecisionCheck, TimerNamesAreOneSpellingOnEveryDatabase) {
    sdk::Decision d = sdk::allow();
    d.add_timers = {{"expire-2_b", t0_ms + 5}};
    EXPECT_EQ("", check(d, order_holding(150, 0, 0)));
    // Names a case- or padding-insensitive collation would merge with "expire", and others.
    for (const std::string& name :
         std::vector<std::string>{"Expire", "expire ", "", std::string(65, 'a'), "exp.ire", "\xc3\xa9"}) {
        d.add_timers = {{name, t0_ms + 5}};
        EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("timer_name_invalid")) << name;
        d.add_timers.clear();
        d.drop_timers = {name};
        EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("timer_name_invalid")) << name;
        d.drop_timers.clear();
    }
    d.add_timers = {{std::string(64, 'a'), t0_ms + 5}};
    EXPECT_EQ("", check(d, order_holding(150, 0, 0)));
}

TEST(DecisionCheck, OneAnswerCarriesBoundedTimersMovesAndCode) {
    sdk::Decision d = sdk::allow();
    for (int i = 0; i < 64; ++i) d.add_timers.push_back({"t" + std::to_string(i), t0_ms + 5});
    EXPECT_EQ("", check(d, order_holding(150, 0, 0)));
    d.add_timers.push_back({"t64", t0_ms + 5});
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("too_many_timers"));

    d = sdk::allow();
    d.moves.assign(16, sdk::MoneyMove{sdk::MoveKind::refund, 1});
    EXPECT_EQ("", check(d, order_holding(150, 0, 0)));
    d.moves.push_back({sdk::MoveKind::refund, 1});
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("too_many_moves"));

    d = sdk::allow();
    d.code = std::string(64, 'c');
    EXPECT_EQ("", check(d, order_holding(150, 0, 0)));
    d.code = std::string(65, 'c');
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("code_invalid"));
    d.code.clear();
    EXPECT_THAT(check(d, order_holding(150, 0, 0)), HasSubstr("code_invalid"));
}

// OTPDesk's real behaviour with a bad decide(): it refunds twice what it holds.
class GreedyPolicy final : public sdk::Policy {
public:
    explicit GreedyPolicy(const sdk::Policy& real) : real_(real) {}
    sdk::PolicyInfo info() const override { return real_.info(); }
    sdk::ConfigResult configure(const std::string&, const std::string&) override { return {true, ""}; }
    sdk::Quote quote(const sdk::PurchaseRequest& r, const sdk::Context& c) const override { return real_.quote(r, c); }
    sdk::Decision decide(const sdk::OrderView& o, const sdk::Event&, const sdk::Context&) const override {
        sdk::Decision d = sdk::allow();
        d.moves = {{MoveKind::refund, o.held_minor() * 2}};
        return d;
    }

private:
    const sdk::Policy& real_;
};

void destroy_greedy(sdk::Policy* policy) { delete policy; }

TEST_F(EngineTest, PolicyViolationWritesNothing) {
    make_tenant(1000);
    const std::string order = buy_activation(t0_ms);
    auto greedy = std::make_shared<const plugin::PolicyInstance>(nullptr, new GreedyPolicy(otpdesk()->policy()),
                                                                 &destroy_greedy, otpdesk()->info());
    Engine bad_engine(*db, *clock);
    sdk::Event cancel;
    cancel.type = "cancel";
    cancel.actor = "customer";
    auto refused = bad_engine.apply(*greedy, tenant_id, order, cancel, t0_ms + 5 * minute_ms);
    ASSERT_FALSE(refused);
    EXPECT_EQ(engine_error::policy_violation, refused.error().code);
    EXPECT_THAT(refused.error().message, HasSubstr("refund_exceeds_held"));
    EXPECT_EQ(850, customer());
    EXPECT_EQ(150, escrow());
    EXPECT_EQ(1, transfers_of(order));
    EXPECT_EQ(1, engine->get_order(tenant_id, order).value().version);
    expect_ledger_consistent();
}

}  // namespace
}  // namespace billing::test
