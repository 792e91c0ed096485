#include "bench_env.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>
#include <vector>

#include "billing/audit/audit.hpp"
#include "billing/core/ids.hpp"
#include "billing/engine/ledger.hpp"
#include "billing/storage/migrations.hpp"

namespace billing::bench {

void fail(const std::string& what) {
    std::cerr << "billing_engine_bench: " << what << '\n';
    std::exit(2);
}

std::shared_ptr<const plugin::PolicyInstance> otpdesk() {
    static const std::shared_ptr<const plugin::PolicyInstance> instance = [] {
        std::ifstream file(BILLING_OTPDESK_CONFIG);
        std::stringstream text;
        text << file.rdbuf();
        return must(plugin::load_policy(BILLING_OTPDESK_PLUGIN, text.str(), BILLING_OTPDESK_CONFIG),
                    std::string("loading ") + BILLING_OTPDESK_PLUGIN);
    }();
    return instance;
}

TempDir::TempDir() : path_(std::filesystem::temp_directory_path() / new_id("billing-bench")) {
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

BenchDb::BenchDb(const std::filesystem::path& file, MinorUnits deposit_minor, BenchDbOptions options) {
    storage::DatabaseOptions db_options;
    db_options.target = file.string();
    db_options.sqlite_synchronous = options.synchronous;
    db_options.pool_size = options.pool_size;
    db_options.busy_timeout_ms = 30000;
    db_options.write_attempts_max = 50;
    db_ = must(storage::Database::open(db_options), "opening " + file.string());
    must(storage::migrate(*db_, t0_ms), "migrating " + file.string());
    engine_ = std::make_unique<Engine>(*db_, [](const std::string&) { return otpdesk(); }, clock_);
    sweeper_ = std::make_unique<Sweeper>(*engine_, "bench");
    tenant_id = must(engine_->create_tenant(NewTenant{"Bench", "USD", "otpdesk", "", false}), "tenant").id;
    const auto system = must(db_->read([&](soci::session& sql) { return ledger::system_accounts(sql, tenant_id); }),
                             "system accounts");
    funding_id = system.funding;
    escrow_id = system.escrow;
    revenue_id = system.revenue;
    customer_id = add_customer("customer-1", deposit_minor);
}

BenchDb::~BenchDb() {
    sweeper_.reset();
    engine_.reset();
    db_.reset();
}

std::string BenchDb::add_customer(const std::string& external_ref, MinorUnits deposit_minor) {
    const std::string id = must(engine_->create_account(tenant_id, external_ref), "account").id;
    if (deposit_minor > 0) must(engine_->deposit(tenant_id, id, deposit_minor), "deposit");
    return id;
}

namespace {

// The invariants of DESIGN §4 as the engine writes them (a purchase's charge has transfer kind
// "purchase"): the checks of tests/engine's expect_ledger_consistent, over the whole file.
std::vector<std::pair<std::string, std::string>> ledger_checks() {
    const auto sum_differs = [](const char* column, const char* kinds) {
        return std::string("COALESCE((SELECT SUM(amount_minor) FROM transfers t WHERE t.order_id = o.id AND t.kind IN (") +
               kinds + ")), 0) <> o." + column;
    };
    return {
        {"an account balance differs from the sum of its transfers",
         "SELECT COUNT(*) FROM accounts a WHERE a.balance_minor <> "
         "COALESCE((SELECT SUM(amount_minor) FROM transfers t WHERE t.credit_account_id = a.id), 0) - "
         "COALESCE((SELECT SUM(amount_minor) FROM transfers t WHERE t.debit_account_id = a.id), 0)"},
        {"a tenant's balances do not sum to 0",
         "SELECT COUNT(*) FROM (SELECT tenant_id, SUM(balance_minor) AS s FROM accounts GROUP BY tenant_id) x "
         "WHERE s <> 0"},
        {"a non-funding balance is negative", "SELECT COUNT(*) FROM accounts WHERE kind <> 'funding' AND balance_minor < 0"},
        {"an order's amounts break their bounds",
         "SELECT COUNT(*) FROM orders WHERE refunded_from_escrow_minor + refunded_from_revenue_minor > charged_minor "
         "OR captured_minor + refunded_from_escrow_minor > charged_minor OR refunded_from_revenue_minor > captured_minor"},
        {"an order's amounts differ from its transfers",
         "SELECT COUNT(*) FROM orders o WHERE " + sum_differs("charged_minor", "'purchase','charge'") + " OR " +
             sum_differs("captured_minor", "'capture'") + " OR " + sum_differs("refunded_from_escrow_minor", "'refund'") +
             " OR " + sum_differs("refunded_from_revenue_minor", "'refund_captured'")},
        {"escrow differs from what the orders hold",
         "SELECT COUNT(*) FROM accounts a WHERE a.kind = 'escrow' AND a.balance_minor <> "
         "COALESCE((SELECT SUM(charged_minor - captured_minor - refunded_from_escrow_minor) FROM orders o "
         "WHERE o.tenant_id = a.tenant_id), 0)"},
        {"a closed order still holds money",
         "SELECT COUNT(*) FROM orders WHERE is_final = 1 AND charged_minor - captured_minor - refunded_from_escrow_minor <> 0"},
        {"an open order has no timer", "SELECT COUNT(*) FROM orders o WHERE is_final = 0 AND NOT EXISTS "
                                       "(SELECT 1 FROM timers t WHERE t.order_id = o.id)"},
    };
}

// What billing_audit reports for every order the engine sells, because it does not know the
// transfer kind "purchase" (yet): reported once, not a failure of the benchmark's writes.
bool is_known_audit_gap(const audit::Violation& v) {
    return (v.code == audit::invariant::unknown_transfer_kind && v.message.find("'purchase'") != std::string::npos) ||
           (v.code == audit::invariant::order_transfers_mismatch && v.field == "charged_minor");
}

}  // namespace

void BenchDb::audit_or_fail(const std::string& when) {
    const auto failures = must(db_->read([&](soci::session& sql) -> Result<std::string> {
        std::string found;
        for (const auto& [what, query] : ledger_checks()) {
            long long count = -1;
            sql << query, soci::into(count);
            if (count != 0) found += "  " + what + ": " + std::to_string(count) + "\n";
        }
        return found;
    }), "ledger checks " + when);
    if (!failures.empty()) fail("ledger checks " + when + " failed:\n" + failures);

    const auto report = must(audit::run_audit(*db_), "audit " + when);
    std::size_t known = 0;
    for (const audit::Violation& v : report.violations) {
        if (!is_known_audit_gap(v)) fail("audit " + when + " found violations:\n" + audit::format_report(report));
        ++known;
    }
    std::cout << "# checked " << when << ": ledger consistent";
    if (known > 0) std::cout << "; billing_audit flags " << known << " (capped) purchase transfers: it lacks kind 'purchase'";
    std::cout << '\n';
}

double commit_cap_per_s(BenchDb& bench, std::size_t transactions) {
    storage::Database::Lease lease(bench.db());
    soci::session& sql = lease.sql();
    sql << "CREATE TABLE IF NOT EXISTS bench_commit_cap (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)";
    sql << "INSERT OR REPLACE INTO bench_commit_cap (id, n) VALUES (1, 0)";
    soci::statement begin = (sql.prepare << "BEGIN IMMEDIATE");
    soci::statement bump = (sql.prepare << "UPDATE bench_commit_cap SET n = n + 1 WHERE id = 1");
    soci::statement commit = (sql.prepare << "COMMIT");
    const Stopwatch watch;
    for (std::size_t i = 0; i < transactions; ++i) {
        begin.execute(true);
        bump.execute(true);
        commit.execute(true);
    }
    return static_cast<double>(transactions) / watch.seconds();
}

std::int64_t quantile(std::vector<std::int64_t>& samples, double q) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const auto last = static_cast<double>(samples.size() - 1);
    const auto index = static_cast<std::size_t>(std::llround(q * last));
    return samples[std::min(index, samples.size() - 1)];
}

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

}  // namespace billing::bench
