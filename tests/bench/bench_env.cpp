#include "bench_env.hpp"

#include "shipped_otpdesk.hpp"

#include <algorithm>
#include <cerrno>  // program_invocation_short_name (glibc)
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
#include "billing/storage/ledger.hpp"
#include "billing/storage/migrations.hpp"

namespace billing::bench {

void fail(const std::string& what) {
    // The name the benchmark was started as (both benchmarks share this file).
    std::cerr << program_invocation_short_name << ": " << what << '\n';
    std::exit(2);
}

std::shared_ptr<const plugin::PolicyInstance> otpdesk() {
    static const std::shared_ptr<const plugin::PolicyInstance> instance = [] {
        return must(test::load_shipped_otpdesk(), "loading the shipped OTPDesk plugin");
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

BenchDb::BenchDb(const BenchDatabase& database, MinorUnits deposit_minor, BenchDbOptions options) {
    storage::DatabaseOptions db_options = database.options();
    const std::string& url = database.config().url;
    db_options.sqlite_synchronous = options.synchronous;
    db_options.pool_size = options.pool_size;
    db_options.busy_timeout_ms = 30000;
    db_options.write_attempts_max = 50;
    db_ = must(storage::Database::open(db_options), "opening " + url);
    must(storage::migrate(*db_, t0_ms), "migrating " + url);
    engine_ = std::make_unique<Engine>(*db_, clock_);
    policies_ = std::make_unique<test::OnePolicy>(otpdesk());
    sweeper_ = std::make_unique<Sweeper>(*engine_, *policies_, "bench");
    tenant_id = must(engine_->create_tenant(NewTenant{"Bench", "USD", "otpdesk", "", false}), "tenant").id;
    const auto system =
        must(db_->read([&](soci::session& sql) { return ledger::system_accounts(sql, tenant_id); }), "system accounts");
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
    std::string id = must(engine_->create_account(tenant_id, external_ref), "account").id;
    if (deposit_minor > 0) must(engine_->deposit(tenant_id, id, deposit_minor), "deposit");
    return id;
}

// The audit checks every invariant of DESIGN §4; the one thing it does not know is the
// benchmark's own promise that every open order still has its timer.
void BenchDb::audit_or_fail(const std::string& when) {
    const auto report = must(audit::run_audit(*db_), "audit " + when);
    if (!report.ok()) fail("audit " + when + " found violations:\n" + audit::format_report(report));
    const auto orphans = must(db_->read([&](soci::session& sql) -> Result<long long> {
        long long count = -1;
        sql << "SELECT COUNT(*) FROM orders o WHERE is_final = 0 AND NOT EXISTS "
               "(SELECT 1 FROM timers t WHERE t.order_id = o.id)",
            soci::into(count);
        return count;
    }),
                              "timer check " + when);
    if (orphans != 0) fail("after " + when + ", " + std::to_string(orphans) + " open orders have no timer");
    std::cout << "# checked " << when << ": audit clean, every open order has its timer\n";
}

double commit_cap_per_s(BenchDb& bench, std::size_t transactions) {
    if (bench.db().dialect().backend != Backend::sqlite3) fail("commit_cap_per_s is a SQLite figure");
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
