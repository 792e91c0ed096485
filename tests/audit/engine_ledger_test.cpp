// The audit over a ledger THE ENGINE BUILT, not one written by hand: activation and rental lives
// run through billing::Engine with the real OTPDesk plugin and the Sweeper, then the audit must
// find nothing, and must name the one engine-written transfer a test corrupts. The hand-written
// fixture can only agree with the audit; this test holds the audit to the words the engine writes.
//
// SQLite only: the engine writes events, timers and idempotency rows that the server fixtures do
// not empty between tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "one_policy.hpp"
#include "shipped_otpdesk.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "billing/audit/audit.hpp"
#include "billing/core/clock.hpp"
#include "billing/core/ids.hpp"
#include "billing/engine/engine.hpp"
#include "billing/engine/sweeper.hpp"
#include "billing/plugin/loader.hpp"
#include "billing/storage/database.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/migrations.hpp"

namespace billing::audit::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr UtcMs t0_ms = 1'700'000'000'000;
constexpr std::int64_t minute_ms = 60'000;
constexpr UtcMs at(std::int64_t minutes, std::int64_t ms = 0) { return t0_ms + minutes * minute_ms + ms; }

// The OTPDesk policy from the built .so with the shipped config, loaded once per process.
std::shared_ptr<const plugin::PolicyInstance> otpdesk() {
    static const std::shared_ptr<const plugin::PolicyInstance> instance = [] {
        auto loaded = test::load_shipped_otpdesk();
        if (!loaded) {
            ADD_FAILURE() << loaded.error().code << ": " << loaded.error().message;
            return std::shared_ptr<const plugin::PolicyInstance>();
        }
        return loaded.value();
    }();
    return instance;
}

// One tenant with one customer (deposit 5000) and four lives, all closed by the end of SetUp:
//   cancelled   activation 150: cancel denied at 1:59.999, refunded at 2:00   (purchase, refund)
//   completed   activation 150: code at 5:00, captured; the timer completes   (purchase, capture)
//   expired     activation 150: no code; the expire timer refunds at 20:00    (purchase, refund)
//   ended       rental 24 h 500: captured at 20:00, ended at 24:00:00        (purchase, capture)
// Balances: customer 5000 - 150 - 500 = 4350, escrow 0, revenue 650, funding -5000.
class EngineLedgerAudit : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / new_id("audit-engine-test");
        storage::DatabaseOptions options;
        options.target = (dir_ / "billing.sqlite").string();
        options.sqlite_synchronous = config::SqliteSynchronous::off;  // a throwaway file needs no fsync
        auto opened = storage::Database::open(options);
        ASSERT_TRUE(opened) << opened.error().message;
        db_ = std::move(opened).value();
        auto migrated = storage::migrate(*db_, t0_ms);
        ASSERT_TRUE(migrated) << migrated.error().message;
        clock_ = std::make_unique<ManualClock>(t0_ms);
        ASSERT_TRUE(otpdesk());
        engine_ = std::make_unique<Engine>(*db_, *clock_);
        policies_ = std::make_unique<test::OnePolicy>(otpdesk());
        sweeper_ = std::make_unique<Sweeper>(*engine_, *policies_, "audit-test");
        ASSERT_NO_FATAL_FAILURE(run_lives());
    }

    void TearDown() override {
        sweeper_.reset();
        policies_.reset();
        engine_.reset();
        db_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void run_lives() {
        auto tenant = engine_->create_tenant(NewTenant{"Shop", "USD", "otpdesk", "", false});
        ASSERT_TRUE(tenant) << tenant.error().message;
        tenant_id_ = tenant.value().id;
        auto account = engine_->create_account(tenant_id_, "customer-1");
        ASSERT_TRUE(account) << account.error().message;
        customer_id_ = account.value().id;
        auto deposited = engine_->deposit(tenant_id_, customer_id_, 5000);
        ASSERT_TRUE(deposited) << deposited.error().message;

        cancelled_ = buy({"activation", {{"service", "facebook"}, {"country", "de"}}, {}});
        completed_ = buy({"activation", {{"service", "facebook"}, {"country", "de"}}, {}});
        expired_ = buy({"activation", {{"service", "facebook"}, {"country", "de"}}, {}});
        ended_ = buy({"rental", {}, {{"duration_hours", 24}}});

        ASSERT_FALSE(apply(cancelled_, sdk::event_type::cancel, at(1, 59'999)).allowed);
        ASSERT_TRUE(apply(cancelled_, sdk::event_type::cancel, at(2)).allowed);
        ASSERT_TRUE(apply(completed_, sdk::event_type::message, at(5)).allowed);
        // Due at 20:00: the completed and expired activations' timers and the rental's capture.
        EXPECT_EQ(3u, sweeper_->sweep_once(at(20), 30, 100).applied);
        EXPECT_EQ(1u, sweeper_->sweep_once(at(24 * 60), 30, 100).applied);  // the rental's end

        EXPECT_EQ("cancelled", state_of(cancelled_));
        EXPECT_EQ("completed", state_of(completed_));
        EXPECT_EQ("expired", state_of(expired_));
        EXPECT_EQ("ended", state_of(ended_));
    }

    std::string buy(const sdk::PurchaseRequest& request) {
        auto order = engine_->purchase(*otpdesk(), tenant_id_, customer_id_, request, at(0));
        EXPECT_TRUE(order) << order.error().code << ": " << order.error().message;
        return order ? order.value().order.id : std::string();
    }

    ApplyResult apply(const std::string& order_id, const char* type, UtcMs now_ms) {
        sdk::Event event;
        event.type = type;
        event.actor = "customer";
        if (std::string(type) == sdk::event_type::message) event.text["service"] = "facebook";
        auto applied = engine_->apply(*otpdesk(), tenant_id_, order_id, event, now_ms);
        EXPECT_TRUE(applied) << applied.error().code << ": " << applied.error().message;
        return applied ? std::move(applied).value().applied : ApplyResult{};
    }

    std::string state_of(const std::string& order_id) {
        auto order = engine_->get_order(tenant_id_, order_id);
        return order ? order.value().state : "<" + order.error().code + ">";
    }

    // "kind=count" for each transfer kind the engine wrote, sorted by kind.
    std::vector<std::string> transfer_kinds_written() {
        auto rows = db_->read([](soci::session& sql) -> Result<std::vector<std::string>> {
            std::vector<std::string> out;
            std::string last;
            long long count = 0;
            const soci::rowset<std::string> kinds = (sql.prepare << "SELECT kind FROM transfers ORDER BY kind");
            for (const std::string& kind : kinds) {
                if (kind != last && count > 0) {
                    out.push_back(last + "=" + std::to_string(count));
                    count = 0;
                }
                last = kind;
                ++count;
            }
            if (count > 0) out.push_back(last + "=" + std::to_string(count));
            return out;
        });
        EXPECT_TRUE(rows) << rows.error().message;
        return rows ? rows.value() : std::vector<std::string>{};
    }

    // The id of the one transfer of this kind the engine wrote for the order.
    std::string transfer_of(const std::string& order_id, const char* kind) {
        std::string id;
        const std::string kind_name = kind;
        auto done = db_->read([&](soci::session& sql) -> Result<Unit> {
            sql << "SELECT id FROM transfers WHERE order_id = :order_id AND kind = :kind", soci::into(id),
                soci::use(order_id), soci::use(kind_name);
            return Unit{};
        });
        EXPECT_TRUE(done) << done.error().message;
        EXPECT_FALSE(id.empty()) << "no " << kind << " transfer for order " << order_id;
        return id;
    }

    void exec(const std::string& statement) {
        auto done = db_->write([&](soci::session& sql) -> Result<Unit> {
            sql << statement;
            return Unit{};
        });
        ASSERT_TRUE(done) << statement << ": " << done.error().message;
    }

    AuditReport audit() {
        auto report = run_audit(*db_);
        EXPECT_TRUE(report) << report.error().code << ": " << report.error().message;
        return report ? std::move(report).value() : AuditReport{};
    }

    static std::vector<std::string> codes(const AuditReport& report) {
        std::vector<std::string> out;
        for (const Violation& v : report.violations) out.push_back(v.code);
        std::sort(out.begin(), out.end());
        return out;
    }

    // The one violation of this code; fails the test if there is not exactly one.
    static Violation only(const AuditReport& report, const std::string& code) {
        std::vector<Violation> found;
        std::copy_if(report.violations.begin(), report.violations.end(), std::back_inserter(found),
                     [&](const Violation& v) { return v.code == code; });
        EXPECT_EQ(found.size(), 1u) << code;
        return found.empty() ? Violation{} : found.front();
    }

    std::filesystem::path dir_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<ManualClock> clock_;
    std::unique_ptr<Engine> engine_;
    std::unique_ptr<test::OnePolicy> policies_;
    std::unique_ptr<Sweeper> sweeper_;
    std::string tenant_id_, customer_id_;
    std::string cancelled_, completed_, expired_, ended_;
};

TEST_F(EngineLedgerAudit, LedgerTheEngineBuiltHasNoViolations) {
    // Guards the premise: every sale is a purchase transfer, as the engine writes it.
    ASSERT_THAT(transfer_kinds_written(), ElementsAre("capture=2", "deposit=1", "purchase=4", "refund=2"));
    const AuditReport report = audit();
    EXPECT_TRUE(report.ok()) << format_report(report);
    EXPECT_THAT(report.violations, IsEmpty());
    EXPECT_THAT(report.truncated, IsEmpty());
    EXPECT_EQ(report.checked.tenants, 1);
    EXPECT_EQ(report.checked.accounts, 4);  // the customer, funding, escrow, revenue
    EXPECT_EQ(report.checked.transfers, 9);
    EXPECT_EQ(report.checked.orders, 4);
}

TEST_F(EngineLedgerAudit, PurchaseRelabelledToAnUnknownKindIsNamed) {
    const std::string purchase = transfer_of(completed_, ledger::transfer_kind::purchase);
    exec("UPDATE transfers SET kind = 'sale' WHERE id = '" + purchase + "'");
    const AuditReport report = audit();
    // The order's charged_minor no longer has a transfer that adds up to it.
    ASSERT_THAT(codes(report), ElementsAre(invariant::order_transfers_mismatch, invariant::unknown_transfer_kind))
        << format_report(report);
    const Violation kind = only(report, invariant::unknown_transfer_kind);
    EXPECT_EQ(kind.tenant_id, tenant_id_);
    EXPECT_EQ(kind.subject, Subject::transfer);
    EXPECT_EQ(kind.subject_id, purchase);
    EXPECT_THAT(kind.message, HasSubstr("'sale'"));
    const Violation order = only(report, invariant::order_transfers_mismatch);
    EXPECT_EQ(order.subject_id, completed_);
    EXPECT_EQ(order.field, "charged_minor");
    EXPECT_THAT(order.expected, Optional(0));
    EXPECT_THAT(order.actual, Optional(150));
}

TEST_F(EngineLedgerAudit, PurchaseCreditedToRevenueIsTransferKindMismatch) {
    // The purchase of the rental names revenue instead of escrow: both system accounts' balances
    // now disagree with their transfers, and the purchase's credit side has the wrong kind.
    const std::string purchase = transfer_of(ended_, ledger::transfer_kind::purchase);
    exec("UPDATE transfers SET credit_account_id = (SELECT id FROM accounts WHERE kind = 'revenue') WHERE id = '" +
         purchase + "'");
    const AuditReport report = audit();
    ASSERT_THAT(codes(report), ElementsAre(invariant::balance_mismatch, invariant::balance_mismatch,
                                           invariant::transfer_kind_mismatch))
        << format_report(report);
    const Violation kind = only(report, invariant::transfer_kind_mismatch);
    EXPECT_EQ(kind.subject_id, purchase);
    EXPECT_EQ(kind.field, "credit_account_id");
    EXPECT_THAT(kind.message, HasSubstr("a purchase credits an account of kind escrow"));
}

}  // namespace
}  // namespace billing::audit::testing
