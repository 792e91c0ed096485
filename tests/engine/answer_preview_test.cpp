// What an answer about an order shows beside it, the cancel preview, comes back in the engine's
// result: decided once, with the call's own policy instance, from the order as it is written,
// and before the money is (so the tenant's escrow row, which every purchase of the tenant
// updates, is never locked through a call into the policy). Read off the statements SQLite
// runs: on PostgreSQL and MySQL the first UPDATE of an account is where its row lock begins.
#include <gmock/gmock.h>

#include "billing/storage/engine_errors.hpp"
#include "engine_fixture.hpp"
#include "statement_trace.hpp"

namespace billing::test {
namespace {

class AnswerPreview : public EngineTest {
protected:
    // OTPDesk, noting how many statements had run each time it was asked about a cancel.
    void count_cancel_questions(StatementTrace& trace) {
        policy = overriding_otpdesk([this, &trace](const sdk::OrderView&, const sdk::Event& e,
                                                   const sdk::Context&) -> std::optional<sdk::Decision> {
            if (e.type == sdk::event_type::cancel) asked_at.push_back(trace.statements().size());
            return std::nullopt;
        });
    }

    // The index of the first UPDATE of an account, or -1.
    static int first_account_update(const std::vector<std::string>& statements) {
        for (std::size_t i = 0; i < statements.size(); ++i) {
            if (statements[i].rfind("UPDATE accounts", 0) == 0) return static_cast<int>(i);
        }
        return -1;
    }

    // The preview as a GET of the order now decides it, from the committed row.
    ActionPreview committed_preview(const std::string& order_id, UtcMs now_ms) {
        auto order = engine->get_order(tenant_id, order_id);
        EXPECT_TRUE(order) << order.error().message;
        return order ? Engine::cancel_preview(*otpdesk(), order.value(), now_ms) : ActionPreview{};
    }

    std::vector<std::size_t> asked_at;
};

void expect_same_preview(const ActionPreview& expected, const ActionPreview& actual) {
    EXPECT_EQ(expected.allowed, actual.allowed);
    EXPECT_EQ(expected.code, actual.code);
    EXPECT_EQ(expected.message, actual.message);
    EXPECT_EQ(expected.available_at_ms, actual.available_at_ms);
}

TEST_F(AnswerPreview, APurchaseDecidesItsCancelPreviewOnceBeforeTheChargeLocksTheEscrow) {
    make_tenant(1000);
    StatementTrace trace(*db);
    count_cancel_questions(trace);
    const sdk::PurchaseRequest request{"activation", {{"service", "facebook"}, {"country", "de"}}, {}};
    auto bought = engine->purchase(*policy, tenant_id, customer_id, request, at(0));
    ASSERT_TRUE(bought) << bought.error().message;

    ASSERT_EQ(1u, asked_at.size()) << "one question for the answer's preview, as the API asked before";
    const int charged = first_account_update(trace.statements());
    ASSERT_GE(charged, 0);
    EXPECT_LE(asked_at[0], static_cast<std::size_t>(charged)) << "the preview came after the charge";
    EXPECT_EQ(850, customer());
    EXPECT_EQ(150, escrow());

    const ActionPreview& cancel = bought.value().cancel;
    EXPECT_FALSE(cancel.allowed);
    EXPECT_EQ("cancel_too_early", cancel.code);
    EXPECT_EQ(at(2), cancel.available_at_ms);
    expect_same_preview(committed_preview(bought.value().order.id, at(0)), cancel);
}

TEST_F(AnswerPreview, AnEventDecidesItsCancelPreviewBeforeTheMoneyMoves) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    StatementTrace trace(*db);
    count_cancel_questions(trace);
    sdk::Event code;
    code.type = sdk::event_type::message;
    code.actor = "provider";
    code.text["service"] = "facebook";
    auto delivered = engine->apply(*policy, tenant_id, order, code, at(5));
    ASSERT_TRUE(delivered) << delivered.error().message;
    ASSERT_TRUE(delivered.value().applied.allowed);

    ASSERT_EQ(1u, asked_at.size()) << "the decision was a message: the one cancel question is the preview";
    const int captured = first_account_update(trace.statements());
    ASSERT_GE(captured, 0);
    EXPECT_LE(asked_at[0], static_cast<std::size_t>(captured)) << "the preview came after the capture";
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(150, revenue());
    expect_same_preview(committed_preview(order, at(5)), delivered.value().cancel);
}

TEST_F(AnswerPreview, AKeyedCallStoresTheAnswerRenderedFromTheResultItReturns) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    std::string rendered;
    const IdempotencyKey<EventResult> key{"cancel-1", std::string(64, 'a'), [&rendered](const EventResult& r) {
                                              rendered = r.applied.order.state + " " + (r.cancel.allowed ? "1" : "0") +
                                                         " " + r.cancel.code;
                                              return IdempotencyResponse{200, rendered};
                                          }};
    sdk::Event cancel;
    cancel.type = sdk::event_type::cancel;
    cancel.actor = "customer";
    auto first = engine->apply(*policy, tenant_id, order, cancel, at(2), key);
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(first.value().result);
    // A cancelled order is final: the preview is the policy's answer for a closed order.
    const ActionPreview expected = committed_preview(order, at(2));
    expect_same_preview(expected, first.value().result->cancel);
    EXPECT_EQ("cancelled " + std::string(expected.allowed ? "1" : "0") + " " + expected.code,
              first.value().response.body);
    auto again = engine->apply(*policy, tenant_id, order, cancel, at(3), key);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(again.value().replayed);
    EXPECT_EQ(first.value().response.body, again.value().response.body);
}

TEST_F(AnswerPreview, ACallThatRendersNoAnswerAsksNoPreview) {
    make_tenant(1000);
    StatementTrace trace(*db);
    count_cancel_questions(trace);
    const sdk::PurchaseRequest request{"activation", {{"service", "facebook"}, {"country", "de"}}, {}};
    ASSERT_TRUE(engine->purchase(*policy, tenant_id, customer_id, request, at(0), Preview::none));
    EXPECT_TRUE(asked_at.empty());
}

}  // namespace
}  // namespace billing::test
