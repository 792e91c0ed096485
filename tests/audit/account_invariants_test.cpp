// Tenants and accounts: system accounts, kinds, balances against transfers, tenant sums, escrow.
// Each test corrupts one thing and asserts the whole set of codes it causes.
#include "audit_fixture.hpp"

namespace billing::audit::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

TEST_F(AuditTest, OverdrawnCustomerIsNegativeCustomerBalance) {
    if (!bypass_check_constraints()) GTEST_SKIP() << "the schema refuses this row on a shared server";
    // A consistent overdraft: the purchase went through without a balance check.
    add_order("o2-over", "t2", "t2-carol", {.charged = 600});
    transfer("tr-over", "t2", "t2-carol", "t2-escrow", 600, "purchase", "o2-over");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::negative_customer_balance)) << format_report(report);
    const Violation& v = report.violations.front();
    EXPECT_EQ(v.tenant_id, "t2");
    EXPECT_EQ(v.subject, Subject::account);
    EXPECT_EQ(v.subject_id, "t2-carol");
    EXPECT_THAT(v.expected, Optional(0));
    EXPECT_THAT(v.actual, Optional(-150));
}

TEST_F(AuditTest, ZeroCustomerBalanceIsAllowed) {
    add_order("o2-all", "t2", "t2-carol", {.charged = 450});
    transfer("tr-all", "t2", "t2-carol", "t2-escrow", 450, "purchase", "o2-all");
    const AuditReport report = audit();
    EXPECT_TRUE(report.ok()) << format_report(report);
}

TEST_F(AuditTest, BalanceChangedByHandIsBalanceMismatchAndTenantNotZero) {
    exec("UPDATE accounts SET balance_minor = balance_minor + 5 WHERE id = 't1-alice'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::balance_mismatch, invariant::tenant_not_zero))
        << format_report(report);
    const Violation mismatch = with_code(report, invariant::balance_mismatch).at(0);
    EXPECT_EQ(mismatch.tenant_id, "t1");
    EXPECT_EQ(mismatch.subject_id, "t1-alice");
    EXPECT_THAT(mismatch.expected, Optional(650));
    EXPECT_THAT(mismatch.actual, Optional(655));
    const Violation sum = with_code(report, invariant::tenant_not_zero).at(0);
    EXPECT_EQ(sum.tenant_id, "t1");
    EXPECT_EQ(sum.subject, Subject::tenant);
    EXPECT_EQ(sum.subject_id, "t1");
    EXPECT_THAT(sum.expected, Optional(0));
    EXPECT_THAT(sum.actual, Optional(5));
}

TEST_F(AuditTest, TransferWithoutBalanceUpdatesIsBalanceMismatchOnBothAccounts) {
    // The tenant still sums to 0: only the two accounts disagree with their transfers.
    transfer_row_only("tr-lost", "t1", "t1-funding", "t1-alice", 40, "deposit");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::balance_mismatch, invariant::balance_mismatch))
        << format_report(report);
    const auto mismatches = with_code(report, invariant::balance_mismatch);
    EXPECT_EQ(mismatches.at(0).subject_id, "t1-alice");
    EXPECT_THAT(mismatches.at(0).expected, Optional(690));
    EXPECT_THAT(mismatches.at(0).actual, Optional(650));
    EXPECT_EQ(mismatches.at(1).subject_id, "t1-funding");
    EXPECT_THAT(mismatches.at(1).expected, Optional(-1540));
    EXPECT_THAT(mismatches.at(1).actual, Optional(-1500));
}

TEST_F(AuditTest, AccountWithoutTransfersMustHaveZeroBalance) {
    add_account("t2-dave", "t2", "customer", 30);
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::balance_mismatch, invariant::tenant_not_zero))
        << format_report(report);
    const Violation v = with_code(report, invariant::balance_mismatch).at(0);
    EXPECT_EQ(v.subject_id, "t2-dave");
    EXPECT_THAT(v.expected, Optional(0));
    EXPECT_THAT(v.actual, Optional(30));
}

TEST_F(AuditTest, MissingRevenueAccountIsMissingSystemAccount) {
    exec("DELETE FROM accounts WHERE id = 't2-revenue'");  // t2 never used it: its balance was 0
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::missing_system_account)) << format_report(report);
    const Violation& v = report.violations.front();
    EXPECT_EQ(v.tenant_id, "t2");
    EXPECT_EQ(v.subject, Subject::tenant);
    EXPECT_EQ(v.field, "revenue");
    EXPECT_THAT(v.expected, Optional(1));
    EXPECT_THAT(v.actual, Optional(0));
}

TEST_F(AuditTest, SecondEscrowAccountIsDuplicateSystemAccount) {
    add_account("t2-escrow-2", "t2", "escrow");
    const AuditReport report = audit();
    // The new escrow account holds 0 while the tenant's orders hold 250: escrow_mismatch too.
    ASSERT_THAT(codes(report), ElementsAre(invariant::duplicate_system_account, invariant::escrow_mismatch))
        << format_report(report);
    const Violation dup = with_code(report, invariant::duplicate_system_account).at(0);
    EXPECT_EQ(dup.tenant_id, "t2");
    EXPECT_EQ(dup.field, "escrow");
    EXPECT_THAT(dup.expected, Optional(1));
    EXPECT_THAT(dup.actual, Optional(2));
    EXPECT_EQ(with_code(report, invariant::escrow_mismatch).at(0).subject_id, "t2-escrow-2");
}

TEST_F(AuditTest, AccountOfUnknownKind) {
    add_account("t1-bonus", "t1", "bonus");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::unknown_account_kind)) << format_report(report);
    EXPECT_EQ(report.violations.front().subject_id, "t1-bonus");
    EXPECT_THAT(report.violations.front().message, ::testing::HasSubstr("'bonus'"));
}

TEST_F(AuditTest, AccountOfUnknownTenant) {
    add_account("ghost-alice", "ghost", "customer");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::account_unknown_tenant)) << format_report(report);
    EXPECT_EQ(report.violations.front().tenant_id, "ghost");
    EXPECT_EQ(report.violations.front().subject_id, "ghost-alice");
}

TEST_F(AuditTest, OrderColumnChangedByHandIsOrderTransfersMismatchAndEscrowMismatch) {
    exec("UPDATE orders SET charged_minor = 170 WHERE id = 'o-held'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::escrow_mismatch, invariant::order_transfers_mismatch))
        << format_report(report);
    const Violation escrow = with_code(report, invariant::escrow_mismatch).at(0);
    EXPECT_EQ(escrow.tenant_id, "t1");
    EXPECT_EQ(escrow.subject, Subject::account);
    EXPECT_EQ(escrow.subject_id, "t1-escrow");
    EXPECT_THAT(escrow.expected, Optional(170));  // what the orders say they hold
    EXPECT_THAT(escrow.actual, Optional(150));    // what the escrow account holds
    const Violation order = with_code(report, invariant::order_transfers_mismatch).at(0);
    EXPECT_EQ(order.subject_id, "o-held");
    EXPECT_EQ(order.field, "charged_minor");
    EXPECT_THAT(order.expected, Optional(150));
    EXPECT_THAT(order.actual, Optional(170));
}

}  // namespace
}  // namespace billing::audit::testing
