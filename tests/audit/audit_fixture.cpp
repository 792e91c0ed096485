#include "audit_fixture.hpp"

#include <algorithm>
#include <cstdlib>

#include "billing/storage/migrations.hpp"

namespace billing::audit::testing {

namespace {

storage::DatabaseOptions test_database_options(const std::filesystem::path& dir) {
    storage::DatabaseOptions options;
    // One session: a transaction the audit left open would make the next write fail.
    options.pool_size = 1;
    options.sqlite_synchronous = config::SqliteSynchronous::off;  // a throwaway file needs no fsync
    const char* backend = std::getenv("BILLING_TEST_BACKEND");
    const char* target = std::getenv("BILLING_TEST_TARGET");
    if (backend != nullptr && target != nullptr && std::string(backend) != "sqlite3") {
        options.backend = std::string(backend) == "mysql" ? storage::Backend::mysql : storage::Backend::postgresql;
        options.target = target;
        return options;
    }
    options.backend = storage::Backend::sqlite3;
    options.target = (dir / "audit.db").string();
    return options;
}

}  // namespace

void AuditTest::SetUp() {
    std::string pattern = (std::filesystem::temp_directory_path() / "billing-audit-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto opened = storage::Database::open(test_database_options(dir_));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    db_ = std::move(opened).value();
    auto migrated = storage::migrate(*db_, 0);
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    for (const char* table : {"transfers", "orders", "accounts", "tenants"}) {
        exec(std::string("DELETE FROM ") + table);
    }

    add_tenant("t1");
    add_account("t1-alice", "t1", "customer");
    add_account("t1-bob", "t1", "customer");
    transfer("tr-1", "t1", "t1-funding", "t1-alice", 1000, "deposit");
    transfer("tr-2", "t1", "t1-funding", "t1-bob", 500, "deposit");

    // Each order's first transfer is the purchase the engine writes with a new order; o-held
    // also has a later charge on the existing order, so charged_minor sums both kinds.
    add_order("o-held", "t1", "t1-alice", {.charged = 150});
    transfer("tr-3", "t1", "t1-alice", "t1-escrow", 100, "purchase", "o-held");
    transfer("tr-4", "t1", "t1-alice", "t1-escrow", 50, "charge", "o-held");

    add_order("o-captured", "t1", "t1-alice", {.charged = 200, .captured = 200, .is_final = true});
    transfer("tr-5", "t1", "t1-alice", "t1-escrow", 200, "purchase", "o-captured");
    transfer("tr-6", "t1", "t1-escrow", "t1-revenue", 200, "capture", "o-captured");

    add_order("o-refunded", "t1", "t1-bob", {.charged = 100, .refunded_from_escrow = 100, .is_final = true});
    transfer("tr-7", "t1", "t1-bob", "t1-escrow", 100, "purchase", "o-refunded");
    transfer("tr-8", "t1", "t1-escrow", "t1-bob", 100, "refund", "o-refunded");

    add_order("o-support", "t1", "t1-bob",
              {.charged = 300, .captured = 300, .refunded_from_revenue = 120, .is_final = true});
    transfer("tr-9", "t1", "t1-bob", "t1-escrow", 300, "purchase", "o-support");
    transfer("tr-10", "t1", "t1-escrow", "t1-revenue", 300, "capture", "o-support");
    transfer("tr-11", "t1", "t1-revenue", "t1-bob", 120, "refund_captured", "o-support");

    add_tenant("t2");
    add_account("t2-carol", "t2", "customer");
    transfer("tr-12", "t2", "t2-funding", "t2-carol", 700, "deposit");
    add_order("o2-held", "t2", "t2-carol", {.charged = 250});
    transfer("tr-13", "t2", "t2-carol", "t2-escrow", 250, "purchase", "o2-held");
}

void AuditTest::TearDown() {
    db_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

void AuditTest::exec(const std::string& statement) {
    auto done = db_->write([&](soci::session& sql) -> Result<Unit> {
        sql << statement;
        return Unit{};
    });
    ASSERT_TRUE(done.ok()) << statement << ": " << done.error().message;
}

void AuditTest::add_tenant(const std::string& tenant) {
    auto done = db_->write([&](soci::session& sql) -> Result<Unit> {
        sql << "INSERT INTO tenants (id, name, currency, policy_name, policy_config, test_mode, clock_ms,"
               " created_at_ms) VALUES (:id, :name, 'USD', 'otpdesk', '{}', 0, 0, 0)",
            soci::use(tenant), soci::use(tenant);
        return Unit{};
    });
    ASSERT_TRUE(done.ok()) << done.error().message;
    for (const char* kind : {"funding", "escrow", "revenue"}) {
        add_account(tenant + "-" + kind, tenant, kind);
    }
}

void AuditTest::add_account(const std::string& id, const std::string& tenant, const std::string& kind,
                            long long balance) {
    auto done = db_->write([&](soci::session& sql) -> Result<Unit> {
        sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms)"
               " VALUES (:id, :tenant, :kind, :ref, :balance, 0)",
            soci::use(id), soci::use(tenant), soci::use(kind), soci::use(id), soci::use(balance);
        return Unit{};
    });
    ASSERT_TRUE(done.ok()) << done.error().message;
}

void AuditTest::transfer_row_only(const std::string& id, const std::string& tenant, const std::string& debit,
                                  const std::string& credit, long long amount, const std::string& kind,
                                  const std::string& order) {
    auto done = db_->write([&](soci::session& sql) -> Result<Unit> {
        soci::indicator order_ind = order.empty() ? soci::i_null : soci::i_ok;
        sql << "INSERT INTO transfers (id, tenant_id, debit_account_id, credit_account_id, amount_minor, kind,"
               " order_id, event_id, created_at_ms) VALUES (:id, :tenant, :debit, :credit, :amount, :kind,"
               " :order_id, NULL, 0)",
            soci::use(id), soci::use(tenant), soci::use(debit), soci::use(credit), soci::use(amount), soci::use(kind),
            soci::use(order, order_ind);
        return Unit{};
    });
    ASSERT_TRUE(done.ok()) << done.error().message;
}

void AuditTest::transfer(const std::string& id, const std::string& tenant, const std::string& debit,
                         const std::string& credit, long long amount, const std::string& kind,
                         const std::string& order) {
    transfer_row_only(id, tenant, debit, credit, amount, kind, order);
    auto done = db_->write([&](soci::session& sql) -> Result<Unit> {
        sql << "UPDATE accounts SET balance_minor = balance_minor - :amount WHERE id = :id", soci::use(amount),
            soci::use(debit);
        sql << "UPDATE accounts SET balance_minor = balance_minor + :amount WHERE id = :id", soci::use(amount),
            soci::use(credit);
        return Unit{};
    });
    ASSERT_TRUE(done.ok()) << done.error().message;
}

void AuditTest::add_order(const std::string& id, const std::string& tenant, const std::string& account,
                          OrderSums sums) {
    auto done = db_->write([&](soci::session& sql) -> Result<Unit> {
        const int is_final = sums.is_final ? 1 : 0;
        sql << "INSERT INTO orders (id, tenant_id, account_id, product, state, attributes, terms, price_minor,"
               " charged_minor, captured_minor, refunded_from_escrow_minor, refunded_from_revenue_minor, outcome,"
               " policy, is_final, version, created_at_ms, updated_at_ms, closed_at_ms) VALUES (:id, :tenant,"
               " :account, 'activation', 'test', '{}', '{}', :price, :charged, :captured, :ref_escrow,"
               " :ref_revenue, '', 'otpdesk', :is_final, 1, 0, 0, NULL)",
            soci::use(id), soci::use(tenant), soci::use(account), soci::use(sums.charged), soci::use(sums.charged),
            soci::use(sums.captured), soci::use(sums.refunded_from_escrow), soci::use(sums.refunded_from_revenue),
            soci::use(is_final);
        return Unit{};
    });
    ASSERT_TRUE(done.ok()) << done.error().message;
}

bool AuditTest::bypass_check_constraints() {
    if (db_->dialect().backend != storage::Backend::sqlite3) {
        return false;
    }
    exec("PRAGMA ignore_check_constraints = ON");
    return true;
}

AuditReport AuditTest::audit(const AuditOptions& options) {
    auto report = run_audit(*db_, options);
    EXPECT_TRUE(report.ok()) << report.error().code << ": " << report.error().message;
    return report.ok() ? std::move(report).value() : AuditReport{};
}

std::vector<std::string> codes(const AuditReport& report) {
    std::vector<std::string> out;
    for (const Violation& v : report.violations) {
        out.push_back(v.code);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<Violation> with_code(const AuditReport& report, const std::string& code) {
    std::vector<Violation> out;
    for (const Violation& v : report.violations) {
        if (v.code == code) out.push_back(v);
    }
    return out;
}

}  // namespace billing::audit::testing
