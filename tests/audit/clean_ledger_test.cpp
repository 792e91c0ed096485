// A consistent ledger passes, with the right counts, and auditing changes nothing.
#include "audit_fixture.hpp"

namespace billing::audit::testing {
namespace {

using ::testing::IsEmpty;

TEST_F(AuditTest, ConsistentLedgerHasNoViolations) {
    const AuditReport report = audit();
    EXPECT_TRUE(report.ok()) << format_report(report);
    EXPECT_THAT(report.violations, IsEmpty());
    EXPECT_THAT(report.truncated, IsEmpty());
    EXPECT_EQ(report.checked.tenants, 2);
    EXPECT_EQ(report.checked.accounts, 9);
    EXPECT_EQ(report.checked.transfers, 13);
    EXPECT_EQ(report.checked.orders, 5);
}

TEST_F(AuditTest, EmptyDatabaseHasNoViolations) {
    for (const char* table : {"transfers", "orders", "accounts", "tenants"}) {
        exec(std::string("DELETE FROM ") + table);
    }
    const AuditReport report = audit();
    EXPECT_TRUE(report.ok()) << format_report(report);
    EXPECT_EQ(report.checked.accounts, 0);
}

TEST_F(AuditTest, AuditLeavesNoTransactionOpen) {
    // The fixture's pool has one session: a snapshot left open would make this write fail.
    ASSERT_TRUE(audit().ok());
    transfer("tr-late", "t2", "t2-funding", "t2-carol", 5, "deposit");
    const AuditReport again = audit();
    EXPECT_TRUE(again.ok()) << format_report(again);
    EXPECT_EQ(again.checked.transfers, 14);
}

TEST_F(AuditTest, TheLedgerBalancesAreTheDocumentedOnes) {
    // Guards the fixture itself: the numbers the other tests assert come from these balances.
    auto balances = db_->read([](soci::session& sql) -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        soci::rowset<soci::row> rows = (sql.prepare << "SELECT id, balance_minor FROM accounts ORDER BY id");
        for (const soci::row& row : rows) {
            out.push_back(row.get<std::string>(0) + "=" + std::to_string(row.get<long long>(1)));
        }
        return out;
    });
    ASSERT_TRUE(balances.ok()) << balances.error().message;
    EXPECT_THAT(balances.value(), ::testing::ElementsAre("t1-alice=650", "t1-bob=320", "t1-escrow=150",
                                                         "t1-funding=-1500", "t1-revenue=380", "t2-carol=450",
                                                         "t2-escrow=250", "t2-funding=-700", "t2-revenue=0"));
}

}  // namespace
}  // namespace billing::audit::testing
