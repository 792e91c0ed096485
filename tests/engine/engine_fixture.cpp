#include "engine_fixture.hpp"

#include "engine_database.hpp"
#include "shipped_otpdesk.hpp"

#include <fstream>
#include <sstream>

#include "billing/core/ids.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/migrations.hpp"

namespace billing::test {

std::shared_ptr<const plugin::PolicyInstance> otpdesk() {
    static const std::shared_ptr<const plugin::PolicyInstance> instance = [] {
        auto loaded = load_shipped_otpdesk();
        if (!loaded) {
            ADD_FAILURE() << loaded.error().code << ": " << loaded.error().message;
            return std::shared_ptr<const plugin::PolicyInstance>();
        }
        return loaded.value();
    }();
    return instance;
}

namespace {

class OverridingPolicy final : public sdk::Policy {
public:
    OverridingPolicy(std::shared_ptr<const plugin::PolicyInstance> real, DecideOverride decide_override)
        : real_(std::move(real)), override_(std::move(decide_override)) {}
    sdk::PolicyInfo info() const override { return real_->policy().info(); }
    sdk::ConfigResult configure(const std::string&, const std::string&) override { return {true, ""}; }
    sdk::Quote quote(const sdk::PurchaseRequest& r, const sdk::Context& c) const override {
        return real_->policy().quote(r, c);
    }
    sdk::Decision decide(const sdk::OrderView& o, const sdk::Event& e, const sdk::Context& c) const override {
        if (auto decided = override_(o, e, c)) return *decided;
        return real_->policy().decide(o, e, c);
    }

private:
    std::shared_ptr<const plugin::PolicyInstance> real_;
    DecideOverride override_;
};

void destroy_overriding(sdk::Policy* p) { delete p; }

}  // namespace

std::shared_ptr<const plugin::PolicyInstance> overriding_otpdesk(DecideOverride decide_override) {
    return std::make_shared<const plugin::PolicyInstance>(
        nullptr, new OverridingPolicy(otpdesk(), std::move(decide_override)), &destroy_overriding, otpdesk()->info());
}

void EngineTest::SetUp() {
    dir = std::filesystem::temp_directory_path() / new_id("engine-test");
    storage::DatabaseOptions options = engine_test_database(dir);
    options.group_commit = group_commit;
    auto opened = storage::Database::open(options);
    ASSERT_TRUE(opened) << opened.error().message;
    db = std::move(opened).value();
    auto migrated = storage::migrate(*db, t0_ms);
    ASSERT_TRUE(migrated) << migrated.error().message;
    clock = std::make_unique<ManualClock>(t0_ms);
    ASSERT_TRUE(otpdesk());
    policy = otpdesk();
    engine = std::make_unique<Engine>(*db, *clock);
    policies = std::make_unique<FixedPolicy>(policy);
    sweeper = std::make_unique<Sweeper>(*engine, *policies, "test-host");
}

void EngineTest::TearDown() {
    sweeper.reset();
    policies.reset();
    engine.reset();
    db.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

void EngineTest::make_tenant(MinorUnits deposit_minor, bool test_mode) {
    auto tenant = engine->create_tenant(NewTenant{"Shop", "USD", "otpdesk", "", test_mode});
    ASSERT_TRUE(tenant) << tenant.error().message;
    tenant_id = tenant.value().id;
    auto account = engine->create_account(tenant_id, "customer-1");
    ASSERT_TRUE(account) << account.error().message;
    customer_id = account.value().id;
    auto system = db->read([&](soci::session& sql) { return ledger::system_accounts(sql, tenant_id); });
    ASSERT_TRUE(system) << system.error().message;
    funding_id = system.value().funding;
    escrow_id = system.value().escrow;
    revenue_id = system.value().revenue;
    if (deposit_minor > 0) {
        auto deposited = engine->deposit(tenant_id, customer_id, deposit_minor);
        ASSERT_TRUE(deposited) << deposited.error().message;
    }
}

std::string EngineTest::buy_activation(UtcMs now_ms, const std::string& service) {
    sdk::PurchaseRequest request{"activation", {{"service", service}, {"country", "de"}}, {}};
    auto order = engine->purchase(*policy, tenant_id, customer_id, request, now_ms);
    EXPECT_TRUE(order) << order.error().code << ": " << order.error().message;
    return order ? order.value().order.id : std::string();
}

std::string EngineTest::buy_rental(UtcMs now_ms, std::int64_t hours) {
    sdk::PurchaseRequest request{"rental", {}, {{"duration_hours", hours}}};
    auto order = engine->purchase(*policy, tenant_id, customer_id, request, now_ms);
    EXPECT_TRUE(order) << order.error().code << ": " << order.error().message;
    return order ? order.value().order.id : std::string();
}

Result<ApplyResult> EngineTest::event(const std::string& order_id, const char* type, UtcMs now_ms,
                                      const std::string& service) {
    sdk::Event e;
    e.type = type;
    e.actor = "customer";
    if (std::string(type) == sdk::event_type::message) e.text["service"] = service;
    auto result = engine->apply(*policy, tenant_id, order_id, e, now_ms);
    if (!result) return result.error();
    return std::move(result).value().applied;
}

MinorUnits EngineTest::balance(const std::string& account_id) {
    long long value = -999999;
    auto done = db->read([&](soci::session& sql) -> Result<Unit> {
        sql << "SELECT balance_minor FROM accounts WHERE id = :id", soci::into(value), soci::use(account_id);
        return Unit{};
    });
    EXPECT_TRUE(done) << done.error().message;
    return static_cast<MinorUnits>(value);
}

long long EngineTest::count(const std::string& sql_text) {
    long long value = -1;
    auto done = db->read([&](soci::session& sql) -> Result<Unit> {
        sql << sql_text, soci::into(value);
        return Unit{};
    });
    EXPECT_TRUE(done) << done.error().message << " in " << sql_text;
    return value;
}

long long EngineTest::transfers_of(const std::string& order_id) {
    return count("SELECT COUNT(*) FROM transfers WHERE order_id = '" + order_id + "'");
}

std::string EngineTest::state_of(const std::string& order_id) {
    auto order = engine->get_order(tenant_id, order_id);
    return order ? order.value().state : "<" + order.error().code + ">";
}

void EngineTest::expect_ledger_consistent() {
    const auto sum_of = [](const char* column, const char* kinds) {
        return std::string(
                   "COALESCE((SELECT SUM(amount_minor) FROM transfers t WHERE t.order_id = o.id AND t.kind IN (") +
               kinds + ")), 0) <> o." + column;
    };
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM accounts a WHERE a.balance_minor <> "
                       "COALESCE((SELECT SUM(amount_minor) FROM transfers t WHERE t.credit_account_id = a.id), 0) - "
                       "COALESCE((SELECT SUM(amount_minor) FROM transfers t WHERE t.debit_account_id = a.id), 0)"))
        << "an account balance differs from the sum of its transfers";
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM (SELECT tenant_id, SUM(balance_minor) AS s FROM accounts "
                       "GROUP BY tenant_id) x WHERE s <> 0"))
        << "a tenant's balances do not sum to 0";
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM accounts WHERE kind <> 'funding' AND balance_minor < 0"));
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM orders WHERE refunded_from_escrow_minor + refunded_from_revenue_minor > "
                       "charged_minor OR captured_minor + refunded_from_escrow_minor > charged_minor OR "
                       "refunded_from_revenue_minor > captured_minor"));
    EXPECT_EQ(0, count(std::string("SELECT COUNT(*) FROM orders o WHERE ") +
                       sum_of("charged_minor", "'purchase','charge'") + " OR " + sum_of("captured_minor", "'capture'") +
                       " OR " + sum_of("refunded_from_escrow_minor", "'refund'") + " OR " +
                       sum_of("refunded_from_revenue_minor", "'refund_captured'")))
        << "an order's amounts differ from its transfers";
    EXPECT_EQ(0,
              count("SELECT COUNT(*) FROM accounts a WHERE a.kind = 'escrow' AND a.balance_minor <> "
                    "COALESCE((SELECT SUM(charged_minor - captured_minor - refunded_from_escrow_minor) FROM orders o "
                    "WHERE o.tenant_id = a.tenant_id), 0)"))
        << "escrow differs from what the orders hold";
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM orders WHERE is_final = 1 AND "
                       "charged_minor - captured_minor - refunded_from_escrow_minor <> 0"))
        << "a closed order still holds money";
}

}  // namespace billing::test
