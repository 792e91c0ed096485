// A small consistent ledger in a real database, written with plain SQL (not through the engine),
// and the helpers the invariant tests use to corrupt exactly one thing in it.
//
// The database is a temporary SQLite file unless BILLING_TEST_BACKEND (postgresql | mysql) and
// BILLING_TEST_TARGET (USER:PASSWORD@HOST:PORT/DB) name a server, whose ledger tables are emptied
// before each test: the same cases run on every backend.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "billing/audit/audit.hpp"
#include "billing/storage/database.hpp"

namespace billing::audit::testing {

// The ledger SetUp writes (every number below is asserted by the clean test). Every order starts
// with a `purchase` transfer, as the engine writes it; "charged" is its purchase plus any `charge`.
//   tenant t1: customers t1-alice, t1-bob; deposits 1000 and 500;
//     o-held      alice, charged 150 (purchase 100, charge 50), still held  (not final)
//     o-captured  alice, charged 200, captured 200                  (final)
//     o-refunded  bob,   charged 100, refunded 100 from escrow      (final)
//     o-support   bob,   charged 300, captured 300, support refund 120 from revenue (final)
//     balances: funding -1500, alice 650, bob 320, escrow 150, revenue 380
//   tenant t2: customer t2-carol; deposit 700;
//     o2-held     carol, charged 250, still held                    (not final)
//   13 transfers in all.
//     balances: funding -700, carol 450, escrow 250, revenue 0
class AuditTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    // Runs one statement in a write transaction; fails the test if it fails.
    void exec(const std::string& statement);
    void add_tenant(const std::string& tenant);  // with its funding, escrow and revenue accounts
    void add_account(const std::string& id, const std::string& tenant, const std::string& kind, long long balance = 0);
    // A transfer row and the two balance updates that keep the accounts equal to their transfers.
    void transfer(const std::string& id, const std::string& tenant, const std::string& debit, const std::string& credit,
                  long long amount, const std::string& kind, const std::string& order = "");
    // Only the transfer row: the balances are left as they were.
    void transfer_row_only(const std::string& id, const std::string& tenant, const std::string& debit,
                           const std::string& credit, long long amount, const std::string& kind,
                           const std::string& order = "");
    struct OrderSums {
        long long charged = 0, captured = 0, refunded_from_escrow = 0, refunded_from_revenue = 0;
        bool is_final = false;
    };
    void add_order(const std::string& id, const std::string& tenant, const std::string& account, OrderSums sums);

    AuditReport audit(const AuditOptions& options = {});

    // Lets the next writes break the schema's CHECK constraints (a negative customer balance, a
    // transfer of 0), so the tests can show that the audit still finds what a database migrated
    // before the constraints, or written around them, may hold. SQLite only, where this is a
    // setting of the one pooled session; a server's schema is shared with other tests, so there
    // it returns false and the test skips.
    bool bypass_check_constraints();

    std::unique_ptr<storage::Database> db_;
    std::filesystem::path dir_;
};

// The codes of a report's violations, sorted: tests compare the whole set, so that a check that
// fires where it should not is caught as surely as one that stays silent.
std::vector<std::string> codes(const AuditReport& report);
// The violations of one code.
std::vector<Violation> with_code(const AuditReport& report, const std::string& code);

}  // namespace billing::audit::testing
