// Orders: what escrow holds per order, refunds against charges and captures, final orders, the
// order's columns against its transfers, and the account an order belongs to.
#include "audit_fixture.hpp"

namespace billing::audit::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

TEST_F(AuditTest, CaptureBeyondTheChargeIsEscrowNegativeForOrder) {
    // Consistent everywhere else: the order, the transfers and the escrow account all agree.
    // Bob's o-held2 keeps escrow at 250 - 200 = 50, so no account goes negative.
    add_order("o-held2", "t1", "t1-bob", {.charged = 100});
    transfer("tr-held2", "t1", "t1-bob", "t1-escrow", 100, "purchase", "o-held2");
    transfer("tr-overcapture", "t1", "t1-escrow", "t1-revenue", 200, "capture", "o-held");
    exec("UPDATE orders SET captured_minor = 200 WHERE id = 'o-held'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::escrow_negative_for_order)) << format_report(report);
    const Violation& v = report.violations.front();
    EXPECT_EQ(v.tenant_id, "t1");
    EXPECT_EQ(v.subject, Subject::order);
    EXPECT_EQ(v.subject_id, "o-held");
    EXPECT_THAT(v.expected, Optional(0));
    EXPECT_THAT(v.actual, Optional(-50));
}

TEST_F(AuditTest, DoubleRefundIsRefundExceedsChargeAndEscrowNegativeForOrder) {
    transfer("tr-again", "t1", "t1-escrow", "t1-bob", 30, "refund", "o-refunded");
    exec("UPDATE orders SET refunded_from_escrow_minor = 130 WHERE id = 'o-refunded'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::escrow_negative_for_order, invariant::refund_exceeds_charge))
        << format_report(report);
    const Violation refund = with_code(report, invariant::refund_exceeds_charge).at(0);
    EXPECT_EQ(refund.tenant_id, "t1");
    EXPECT_EQ(refund.subject_id, "o-refunded");
    EXPECT_THAT(refund.expected, Optional(100));
    EXPECT_THAT(refund.actual, Optional(130));
    EXPECT_THAT(with_code(report, invariant::escrow_negative_for_order).at(0).actual, Optional(-30));
}

TEST_F(AuditTest, SupportRefundBeyondThePartCapturedIsRevenueRefundExceedsCapture) {
    // Charged 100, captured 40, 60 still held, then a support refund of 50 out of revenue:
    // within the charge, but more than revenue ever received for this order. o2-done's capture
    // keeps t2's revenue at 100 + 40 - 50 = 90, so no account goes negative.
    add_order("o2-done", "t2", "t2-carol", {.charged = 100, .captured = 100, .is_final = true});
    transfer("tr-d1", "t2", "t2-carol", "t2-escrow", 100, "purchase", "o2-done");
    transfer("tr-d2", "t2", "t2-escrow", "t2-revenue", 100, "capture", "o2-done");
    add_order("o2-partial", "t2", "t2-carol", {.charged = 100, .captured = 40, .refunded_from_revenue = 50});
    transfer("tr-p1", "t2", "t2-carol", "t2-escrow", 100, "purchase", "o2-partial");
    transfer("tr-p2", "t2", "t2-escrow", "t2-revenue", 40, "capture", "o2-partial");
    transfer("tr-p3", "t2", "t2-revenue", "t2-carol", 50, "refund_captured", "o2-partial");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::revenue_refund_exceeds_capture)) << format_report(report);
    const Violation& v = report.violations.front();
    EXPECT_EQ(v.tenant_id, "t2");
    EXPECT_EQ(v.subject_id, "o2-partial");
    EXPECT_THAT(v.expected, Optional(40));
    EXPECT_THAT(v.actual, Optional(50));
}

TEST_F(AuditTest, SupportRefundBeyondTheChargeIsBothRefundInvariants) {
    transfer("tr-generous", "t1", "t1-revenue", "t1-bob", 200, "refund_captured", "o-support");
    exec("UPDATE orders SET refunded_from_revenue_minor = 320 WHERE id = 'o-support'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::refund_exceeds_charge, invariant::revenue_refund_exceeds_capture))
        << format_report(report);
    for (const Violation& v : report.violations) {
        EXPECT_EQ(v.subject_id, "o-support");
        EXPECT_THAT(v.expected, Optional(300));
        EXPECT_THAT(v.actual, Optional(320));
    }
}

TEST_F(AuditTest, RefundingExactlyWhatWasCapturedIsAllowed) {
    transfer("tr-rest", "t1", "t1-revenue", "t1-bob", 180, "refund_captured", "o-support");
    exec("UPDATE orders SET refunded_from_revenue_minor = 300 WHERE id = 'o-support'");
    const AuditReport report = audit();
    EXPECT_TRUE(report.ok()) << format_report(report);
}

TEST_F(AuditTest, FinalOrderStillHoldingIsFinalOrderHoldsEscrow) {
    exec("UPDATE orders SET is_final = 1 WHERE id = 'o-held'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::final_order_holds_escrow)) << format_report(report);
    EXPECT_EQ(report.violations.front().subject_id, "o-held");
    EXPECT_THAT(report.violations.front().actual, Optional(150));
}

TEST_F(AuditTest, RevenueRefundColumnAheadOfItsTransfersIsOrderTransfersMismatch) {
    exec("UPDATE orders SET refunded_from_revenue_minor = 130 WHERE id = 'o-support'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::order_transfers_mismatch)) << format_report(report);
    const Violation& v = report.violations.front();
    EXPECT_EQ(v.tenant_id, "t1");
    EXPECT_EQ(v.subject_id, "o-support");
    EXPECT_EQ(v.field, "refunded_from_revenue_minor");
    EXPECT_THAT(v.expected, Optional(120));
    EXPECT_THAT(v.actual, Optional(130));
}

TEST_F(AuditTest, CapturedColumnBehindItsTransfersAlsoLeavesAFinalOrderHolding) {
    exec("UPDATE orders SET captured_minor = 150 WHERE id = 'o-captured'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::escrow_mismatch, invariant::final_order_holds_escrow,
                                           invariant::order_transfers_mismatch))
        << format_report(report);
    const Violation v = with_code(report, invariant::order_transfers_mismatch).at(0);
    EXPECT_EQ(v.field, "captured_minor");
    EXPECT_THAT(v.expected, Optional(200));
    EXPECT_THAT(v.actual, Optional(150));
    EXPECT_THAT(with_code(report, invariant::final_order_holds_escrow).at(0).actual, Optional(50));
}

TEST_F(AuditTest, EveryDisagreeingColumnOfAnOrderIsReportedWithItsName) {
    // Both off by 10, so the order still holds 0 and nothing else notices.
    exec("UPDATE orders SET charged_minor = 210, captured_minor = 210 WHERE id = 'o-captured'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::order_transfers_mismatch, invariant::order_transfers_mismatch))
        << format_report(report);
    // Ordered by tenant, order id, then field name.
    EXPECT_EQ(report.violations[0].field, "captured_minor");
    EXPECT_THAT(report.violations[0].expected, Optional(200));
    EXPECT_THAT(report.violations[0].actual, Optional(210));
    EXPECT_THAT(report.violations[0].message, ::testing::HasSubstr("its capture transfers sum to 200"));
    EXPECT_EQ(report.violations[1].field, "charged_minor");
    EXPECT_THAT(report.violations[1].message, ::testing::HasSubstr("its purchase and charge transfers sum to 200"));
    for (const Violation& v : report.violations) {
        EXPECT_EQ(v.subject_id, "o-captured");
    }
}

TEST_F(AuditTest, OrderOnAnotherTenantsCustomerIsOrderAccountInvalid) {
    add_order("o2-foreign", "t2", "t1-alice", {});
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::order_account_invalid)) << format_report(report);
    const Violation& v = report.violations.front();
    EXPECT_EQ(v.tenant_id, "t2");
    EXPECT_EQ(v.subject_id, "o2-foreign");
    EXPECT_EQ(v.related_id, "t1-alice");
    EXPECT_THAT(v.message, ::testing::HasSubstr("of tenant t1"));
}

TEST_F(AuditTest, OrderOnASystemAccountIsOrderAccountInvalid) {
    add_order("o2-system", "t2", "t2-escrow", {});
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::order_account_invalid)) << format_report(report);
    EXPECT_THAT(report.violations.front().message, ::testing::HasSubstr("the escrow account t2-escrow"));
}

}  // namespace
}  // namespace billing::audit::testing
