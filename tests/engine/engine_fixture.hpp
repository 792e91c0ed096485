// A fresh SQLite database per test, the real OTPDesk plugin, a ManualClock and an Engine, plus
// the ledger queries every test asserts with.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "billing/core/clock.hpp"
#include "billing/engine/engine.hpp"
#include "billing/engine/sweeper.hpp"
#include "billing/storage/database.hpp"

namespace billing::test {

inline constexpr UtcMs t0_ms = 1'700'000'000'000;
inline constexpr std::int64_t minute_ms = 60'000;

// minutes:ms after t0: the times of an order's life (at(1, 59'999) is 1:59.999).
constexpr UtcMs at(std::int64_t minutes, std::int64_t ms = 0) { return t0_ms + minutes * minute_ms + ms; }

// The OTPDesk policy from the built .so with the shipped config, loaded once per process.
std::shared_ptr<const plugin::PolicyInstance> otpdesk();

// What a test policy decides instead of OTPDesk; nullopt: OTPDesk's own decision.
using DecideOverride =
    std::function<std::optional<sdk::Decision>(const sdk::OrderView&, const sdk::Event&, const sdk::Context&)>;

// OTPDesk (its info, quotes and decisions) except where decide_override answers: a policy bug
// or outage on demand.
std::shared_ptr<const plugin::PolicyInstance> overriding_otpdesk(DecideOverride decide_override);

// Serves whatever policy the holder points at now to every tenant: the sweeper's directory.
class FixedPolicy final : public PolicyDirectory {
public:
    explicit FixedPolicy(const std::shared_ptr<const plugin::PolicyInstance>& policy) : policy_(policy) {}
    [[nodiscard]] std::shared_ptr<const plugin::PolicyInstance> serving(const std::string&) const override {
        return policy_;
    }

private:
    const std::shared_ptr<const plugin::PolicyInstance>& policy_;
};

class EngineTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    // A tenant with one customer account holding deposit_minor (0: no deposit).
    void make_tenant(MinorUnits deposit_minor = 0, bool test_mode = false);
    std::string buy_activation(UtcMs now_ms, const std::string& service = "facebook");
    std::string buy_rental(UtcMs now_ms, std::int64_t hours = 24);
    Result<ApplyResult> event(const std::string& order_id, const char* type, UtcMs now_ms,
                              const std::string& service = "facebook");

    MinorUnits balance(const std::string& account_id);
    MinorUnits customer() { return balance(customer_id); }
    MinorUnits escrow() { return balance(escrow_id); }
    MinorUnits revenue() { return balance(revenue_id); }
    MinorUnits funding() { return balance(funding_id); }
    long long count(const std::string& sql_text);
    long long transfers_of(const std::string& order_id);
    std::string state_of(const std::string& order_id);
    // Every invariant of DESIGN §4 that SQL can state, for the whole database.
    void expect_ledger_consistent();

    std::filesystem::path dir;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<ManualClock> clock;
    // The tenant's policy: what the fixture's calls pass to the engine and the sweeper's
    // directory serves; a test may swap it (before starting threads).
    std::shared_ptr<const plugin::PolicyInstance> policy;
    std::unique_ptr<Engine> engine;
    std::unique_ptr<FixedPolicy> policies;
    std::unique_ptr<Sweeper> sweeper;
    std::string tenant_id, customer_id, funding_id, escrow_id, revenue_id;
    // Set before SetUp to open the database without group commit (a transaction per write).
    bool group_commit = true;
};

}  // namespace billing::test
