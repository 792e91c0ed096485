// The report: its lines, its summary, the bound on violations per check, and storage failures.
#include "audit_fixture.hpp"

#include "billing/storage/errors.hpp"

namespace billing::audit::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::string::size_type start = 0;
    for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    EXPECT_EQ(start, text.size()) << "the report must end with a newline";
    return out;
}

TEST_F(AuditTest, CleanReportIsOneSummaryLine) {
    EXPECT_EQ(format_report(audit()), "audit ok: 0 violations in 2 tenants, 9 accounts, 13 transfers, 5 orders\n");
}

TEST_F(AuditTest, ReportHasOneLinePerViolationThenTheSummary) {
    exec("UPDATE accounts SET balance_minor = balance_minor + 5 WHERE id = 't1-alice'");
    const auto lines = lines_of(format_report(audit()));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_THAT(lines[0], StartsWith("balance_mismatch tenant=t1 account=t1-alice field=balance_minor "
                                     "expected=650 actual=655: account t1-alice has the balance 655"));
    EXPECT_THAT(lines[1], StartsWith("tenant_not_zero tenant=t1 field=balance_minor expected=0 actual=5: "));
    EXPECT_EQ(lines[2], "audit FAILED: 2 violations (balance_mismatch 1, tenant_not_zero 1) in 2 tenants, 9 accounts, "
                        "13 transfers, 5 orders");
}

TEST_F(AuditTest, EachCheckReportsAtMostTheMaximumAndSaysSo) {
    for (const char* id : {"tr-z1", "tr-z2", "tr-z3"}) {
        transfer(id, "t2", "t2-funding", "t2-carol", 5, "gift");
    }
    const AuditReport report = audit(AuditOptions{.violations_per_check_max = 2});
    ASSERT_THAT(codes(report), ElementsAre(invariant::unknown_transfer_kind, invariant::unknown_transfer_kind));
    EXPECT_EQ(report.violations[0].subject_id, "tr-z1");
    EXPECT_EQ(report.violations[1].subject_id, "tr-z2");
    EXPECT_THAT(report.truncated, ElementsAre(invariant::unknown_transfer_kind));
    EXPECT_THAT(format_report(report), HasSubstr("lists cut short, more found for: unknown_transfer_kind"));
}

TEST_F(AuditTest, ExactlyTheMaximumIsNotTruncated) {
    for (const char* id : {"tr-z1", "tr-z2"}) {
        transfer(id, "t2", "t2-funding", "t2-carol", 5, "gift");
    }
    const AuditReport report = audit(AuditOptions{.violations_per_check_max = 2});
    EXPECT_EQ(report.violations.size(), 2u);
    EXPECT_TRUE(report.truncated.empty());
}

TEST_F(AuditTest, StorageFailureIsAnErrorNamingTheCheck) {
    // Hidden, not dropped: on a server the schema outlives this test and the next one needs it.
    exec("ALTER TABLE orders RENAME TO orders_hidden");
    const auto result = run_audit(*db_);
    exec("ALTER TABLE orders_hidden RENAME TO orders");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, storage::storage_error::failed);
    EXPECT_THAT(result.error().message, StartsWith("audit failed in check counts: "));
    // The failed snapshot was ended: the one pooled session still takes writes (the exec above
    // already did) and the audit runs again.
    EXPECT_TRUE(audit().ok());
}

}  // namespace
}  // namespace billing::audit::testing
