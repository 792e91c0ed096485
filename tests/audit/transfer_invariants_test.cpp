// Transfers: amounts, the accounts they name, tenants, kinds, and the orders they belong to.
#include "audit_fixture.hpp"

namespace billing::audit::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::Optional;

TEST_F(AuditTest, ZeroTransferIsTransferNotPositive) {
    if (!bypass_check_constraints()) GTEST_SKIP() << "the schema refuses this row on a shared server";
    transfer("tr-zero", "t2", "t2-funding", "t2-carol", 0, "deposit");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::transfer_not_positive)) << format_report(report);
    const Violation& v = report.violations.front();
    EXPECT_EQ(v.tenant_id, "t2");
    EXPECT_EQ(v.subject, Subject::transfer);
    EXPECT_EQ(v.subject_id, "tr-zero");
    EXPECT_EQ(v.expected, std::nullopt);
    EXPECT_THAT(v.actual, Optional(0));
}

TEST_F(AuditTest, NegativeTransferIsTransferNotPositive) {
    if (!bypass_check_constraints()) GTEST_SKIP() << "the schema refuses this row on a shared server";
    // Balanced, so only the sign is wrong: funding gains 50, carol loses 50 (still 400).
    transfer("tr-negative", "t2", "t2-funding", "t2-carol", -50, "deposit");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::transfer_not_positive)) << format_report(report);
    EXPECT_EQ(report.violations.front().subject_id, "tr-negative");
    EXPECT_THAT(report.violations.front().actual, Optional(-50));
}

TEST_F(AuditTest, SmallestPositiveTransferIsAllowed) {
    transfer("tr-one", "t2", "t2-funding", "t2-carol", 1, "deposit");
    EXPECT_TRUE(audit().ok());
}

TEST_F(AuditTest, TransferBetweenTwoTenantsIsTransferCrossesTenants) {
    // t1's funding pays t2's customer: each tenant's balances now sum to non-zero as well.
    transfer("tr-cross", "t1", "t1-funding", "t2-carol", 25, "deposit");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::tenant_not_zero, invariant::tenant_not_zero,
                                           invariant::transfer_crosses_tenants))
        << format_report(report);
    const Violation cross = with_code(report, invariant::transfer_crosses_tenants).at(0);
    EXPECT_EQ(cross.tenant_id, "t1");
    EXPECT_EQ(cross.subject_id, "tr-cross");
    EXPECT_EQ(cross.related_id, "t2-carol");
    EXPECT_EQ(cross.field, "credit_account_id");
    EXPECT_THAT(cross.message, ::testing::HasSubstr("of tenant t2"));
    const auto sums = with_code(report, invariant::tenant_not_zero);
    EXPECT_EQ(sums.at(0).tenant_id, "t1");
    EXPECT_THAT(sums.at(0).actual, Optional(-25));
    EXPECT_EQ(sums.at(1).tenant_id, "t2");
    EXPECT_THAT(sums.at(1).actual, Optional(25));
}

TEST_F(AuditTest, TransferToUnknownAccountIsTransferUnknownAccount) {
    // The credit's balance update touched no row, so t1 lost 10 it cannot account for.
    transfer("tr-nowhere", "t1", "t1-funding", "nowhere", 10, "deposit");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::tenant_not_zero, invariant::transfer_unknown_account))
        << format_report(report);
    const Violation v = with_code(report, invariant::transfer_unknown_account).at(0);
    EXPECT_EQ(v.tenant_id, "t1");
    EXPECT_EQ(v.subject_id, "tr-nowhere");
    EXPECT_EQ(v.related_id, "nowhere");
    EXPECT_EQ(v.field, "credit_account_id");
}

TEST_F(AuditTest, TransferOfUnknownKind) {
    transfer("tr-gift", "t2", "t2-funding", "t2-carol", 5, "gift");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::unknown_transfer_kind)) << format_report(report);
    EXPECT_EQ(report.violations.front().subject_id, "tr-gift");
}

TEST_F(AuditTest, PurchaseStraightIntoRevenueIsTransferKindMismatch) {
    add_order("o2-direct", "t2", "t2-carol", {.charged = 60});
    transfer("tr-direct", "t2", "t2-carol", "t2-revenue", 60, "purchase", "o2-direct");
    const AuditReport report = audit();
    // The order says it holds 60 that escrow never received.
    ASSERT_THAT(codes(report), ElementsAre(invariant::escrow_mismatch, invariant::transfer_kind_mismatch))
        << format_report(report);
    const Violation kind = with_code(report, invariant::transfer_kind_mismatch).at(0);
    EXPECT_EQ(kind.tenant_id, "t2");
    EXPECT_EQ(kind.subject_id, "tr-direct");
    EXPECT_EQ(kind.related_id, "t2-revenue");
    EXPECT_EQ(kind.field, "credit_account_id");
    EXPECT_THAT(kind.message, ::testing::HasSubstr("a purchase credits an account of kind escrow"));
    const Violation escrow = with_code(report, invariant::escrow_mismatch).at(0);
    EXPECT_THAT(escrow.expected, Optional(310));
    EXPECT_THAT(escrow.actual, Optional(250));
}

TEST_F(AuditTest, ChargeOnAnOrderStraightIntoRevenueIsTransferKindMismatch) {
    // A later charge on o2-held that revenue received instead of escrow.
    transfer("tr-direct", "t2", "t2-carol", "t2-revenue", 40, "charge", "o2-held");
    exec("UPDATE orders SET charged_minor = 290 WHERE id = 'o2-held'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::escrow_mismatch, invariant::transfer_kind_mismatch))
        << format_report(report);
    const Violation kind = with_code(report, invariant::transfer_kind_mismatch).at(0);
    EXPECT_EQ(kind.subject_id, "tr-direct");
    EXPECT_EQ(kind.field, "credit_account_id");
    EXPECT_THAT(kind.message, ::testing::HasSubstr("a charge credits an account of kind escrow"));
}

TEST_F(AuditTest, DepositFromEscrowIsTransferKindMismatchOnTheDebitSide) {
    add_account("t2-dave", "t2", "customer");
    transfer("tr-odd", "t2", "t2-carol", "t2-dave", 10, "deposit");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::transfer_kind_mismatch)) << format_report(report);
    EXPECT_EQ(report.violations.front().field, "debit_account_id");
    EXPECT_EQ(report.violations.front().related_id, "t2-carol");
}

TEST_F(AuditTest, ChargeWithoutOrderIsTransferMissingOrder) {
    transfer("tr-orphan", "t2", "t2-carol", "t2-escrow", 25, "charge");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::escrow_mismatch, invariant::transfer_missing_order))
        << format_report(report);
    EXPECT_EQ(with_code(report, invariant::transfer_missing_order).at(0).subject_id, "tr-orphan");
    EXPECT_THAT(with_code(report, invariant::escrow_mismatch).at(0).actual, Optional(Eq(275)));
}

TEST_F(AuditTest, PurchaseWithoutOrderIsTransferMissingOrder) {
    transfer("tr-orphan", "t2", "t2-carol", "t2-escrow", 25, "purchase");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::escrow_mismatch, invariant::transfer_missing_order))
        << format_report(report);
    EXPECT_EQ(with_code(report, invariant::transfer_missing_order).at(0).subject_id, "tr-orphan");
}

TEST_F(AuditTest, ChargeForAnotherTenantsOrderIsTransferUnknownOrder) {
    // t2's customer pays into t2's escrow, but the transfer names t1's order.
    transfer("tr-wrong-order", "t2", "t2-carol", "t2-escrow", 25, "charge", "o-held");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::escrow_mismatch, invariant::order_transfers_mismatch,
                                           invariant::transfer_unknown_order))
        << format_report(report);
    const Violation v = with_code(report, invariant::transfer_unknown_order).at(0);
    EXPECT_EQ(v.tenant_id, "t2");
    EXPECT_EQ(v.subject_id, "tr-wrong-order");
    EXPECT_EQ(v.related_id, "o-held");
    // t1's order now counts a charge its escrow never got; t2's escrow got money no order holds.
    EXPECT_EQ(with_code(report, invariant::order_transfers_mismatch).at(0).subject_id, "o-held");
    EXPECT_EQ(with_code(report, invariant::escrow_mismatch).at(0).tenant_id, "t2");
}

}  // namespace
}  // namespace billing::audit::testing
