// The host's bounds on time and money, through real HTTP: a test clock stops at the host's latest
// now and can be reset; deposits stop at the ledger's bound; a policy config that would price a
// sale past the host's largest price is refused before any tenant uses it. Each past-the-bound
// request is a 4xx with its own code, writes nothing, and the host stays up.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "support/database_cli.hpp"
#include "support/host_test.hpp"

namespace billing::integration {
namespace {

// The host's limits (sdk/include/billing/sdk/types.hpp, the README's Limits table), written out
// here so that a change to them shows in this test.
constexpr UtcMs now_ms_max = 250'246'627'200'000;                      // 9900-01-01T00:00:00.000Z
constexpr UtcMs time_ms_max = 253'402'300'799'999;                     // 9999-12-31T23:59:59.999Z
constexpr std::int64_t balance_minor_max = 4'611'686'018'427'387'904;  // 2^62
constexpr std::int64_t amount_minor_max = 1'000'000'000'000'000;       // 10^15

// Runs SQL on the host's database behind its back: what an older host version (or an operator)
// left there, which the running host must cope with.
void run_on_database(const HostProcess& host, const std::string& script) {
    const std::string& url = host.database_url();
    if (url.rfind("sqlite3://", 0) != 0) {
        run_sql(ServerUrl::parse(url), script);
        return;
    }
    sqlite3* raw = nullptr;
    const int opened = sqlite3_open(host.database_file().c_str(), &raw);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    if (opened != SQLITE_OK) throw std::runtime_error("cannot open " + host.database_file().string());
    sqlite3_busy_timeout(db.get(), 5000);
    char* error = nullptr;
    if (sqlite3_exec(db.get(), script.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string message = error != nullptr ? error : "?";
        sqlite3_free(error);
        throw std::runtime_error("SQL failed: " + message + "\n" + script);
    }
}

std::string quoted_sql(const std::string& text) { return "'" + text + "'"; }

class LimitsTest : public HostTest {
protected:
    // A live tenant (system clock) with a key of each role.
    TenantApi live_tenant() {
        live_keys_ = op().new_tenant("live tenant", /*test_mode=*/false, "");
        return TenantApi(http(), live_keys_);
    }
    TenantKeys live_keys_;
};

// Moved to the last printable time and on by a second, a test clock took the host down (an
// assertion in the RFC 3339 formatter), and again after every restart. Now the clock stops at
// 9900-01-01T00:00:00.000Z, leaving a century for the windows policies add to now.
TEST_F(LimitsTest, ATestClockStopsAtTheHostsLatestNow) {
    const Response to_last_time = api().advance_to(time_ms_max);
    EXPECT_EQ(to_last_time.status, 422) << to_last_time.describe();
    EXPECT_EQ(to_last_time.problem_code(), "test_clock_out_of_range");

    const Json at_max = api().move_clock_to(now_ms_max);
    EXPECT_EQ(at_max["now"].str(), "9900-01-01T00:00:00.000Z");
    const Response a_second_more = api().advance_seconds(1);
    EXPECT_EQ(a_second_more.status, 422) << a_second_more.describe();
    EXPECT_EQ(a_second_more.problem_code(), "test_clock_out_of_range");
    EXPECT_FALSE(a_second_more.json()["request_id"].str().empty());
    EXPECT_EQ(api().clock_now(), now_ms_max) << "a refused advance moves nothing";
    EXPECT_EQ(api().advance_seconds(0).status, 200);

    // Business goes on at the latest now: the longest rental ends within the printable range.
    const std::string account = api().new_account(100'000);
    const Json rental = api().buy_rental(account, 1344).expect(201).json();
    EXPECT_EQ(parse_rfc3339(rental["created_at"].str()), now_ms_max);
    EXPECT_EQ(http().get("/livez").status, 200);
}

TEST_F(LimitsTest, DeleteResetsATestClockToTheSystemClock) {
    api().move_clock_to(now_ms_max);
    const auto before_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const Response reset = http().del("/v1/test-clock", {api().keys().service, {}, ""});
    ASSERT_EQ(reset.status, 200) << reset.describe();
    EXPECT_EQ(reset.json()["object"].str(), "test_clock");
    const UtcMs now_ms = parse_rfc3339(reset.json()["now"].str());
    EXPECT_GE(now_ms, before_ms);
    EXPECT_LT(now_ms, before_ms + 60'000);
    EXPECT_EQ(api().clock_now(), now_ms);
    // Forward again from there, as a new test clock.
    EXPECT_EQ(parse_rfc3339(api().advance_seconds(60).expect(200).json()["now"].str()), now_ms + 60'000);

    // Its admin may reset it too; its support staff may not; a live tenant has none.
    EXPECT_EQ(http().del("/v1/test-clock", {api().keys().admin, {}, ""}).status, 200);
    const Response by_support = http().del("/v1/test-clock", {api().keys().support, {}, ""});
    EXPECT_EQ(by_support.status, 403) << by_support.describe();
    TenantApi live = live_tenant();
    const Response live_reset = http().del("/v1/test-clock", {live.keys().service, {}, ""});
    EXPECT_EQ(live_reset.status, 409) << live_reset.describe();
    EXPECT_EQ(live_reset.problem_code(), "test_clock_unavailable");
}

// A clock an older host stored past the bound: every request that reads it is refused with the
// code and the way out (no crash), and DELETE brings the tenant back.
TEST_F(LimitsTest, AClockStoredPastTheBoundIsRefusedUntilReset) {
    const std::string account = api().new_account(10'000);
    run_on_database(host(), "UPDATE tenants SET clock_ms = " + std::to_string(time_ms_max + 1000) +
                                " WHERE id = " + quoted_sql(api().keys().id));
    const Response read = api().test_clock();
    EXPECT_EQ(read.status, 422) << read.describe();
    EXPECT_EQ(read.problem_code(), "test_clock_out_of_range");
    EXPECT_NE(read.body.find("DELETE /v1/test-clock"), std::string::npos) << read.body;
    const Response purchase = api().buy_activation(account);
    EXPECT_EQ(purchase.status, 422) << purchase.describe();
    EXPECT_EQ(purchase.problem_code(), "test_clock_out_of_range");
    EXPECT_EQ(api().advance_seconds(0).problem_code(), "test_clock_out_of_range");
    EXPECT_EQ(api().balance(account), 10'000);

    ASSERT_EQ(http().del("/v1/test-clock", {api().keys().service, {}, ""}).status, 200);
    EXPECT_EQ(api().test_clock().status, 200);
    EXPECT_EQ(api().buy_activation(account).status, 201);
    EXPECT_EQ(http().get("/livez").status, 200);
}

// The ledger caps a tenant's deposits in all at 2^62 (the funding account's floor): the 4612th
// deposit of 10^15 was 500 internal. Seeded here with one transfer of all but the last 10^15.
TEST_F(LimitsTest, DepositsStopAtTheLedgersBoundWithTheirOwnCode) {
    const std::string account = api().new_account();
    const std::int64_t seeded = balance_minor_max - amount_minor_max;
    const std::string tenant = quoted_sql(api().keys().id);
    run_on_database(host(),
                    "INSERT INTO transfers (id, tenant_id, debit_account_id, credit_account_id, amount_minor, kind, "
                    "created_at_ms) SELECT 'trf_limits_seed', tenant_id, id, " +
                        quoted_sql(account) + ", " + std::to_string(seeded) +
                        ", 'deposit', 1700000000000 FROM accounts WHERE tenant_id = " + tenant +
                        " AND kind = 'funding';"
                        "UPDATE accounts SET balance_minor = balance_minor - " +
                        std::to_string(seeded) + " WHERE tenant_id = " + tenant +
                        " AND kind = 'funding';"
                        "UPDATE accounts SET balance_minor = balance_minor + " +
                        std::to_string(seeded) + " WHERE id = " + quoted_sql(account));
    ASSERT_EQ(api().balance(account), seeded);

    const Response to_the_bound = api().deposit(account, amount_minor_max);
    ASSERT_EQ(to_the_bound.status, 200) << to_the_bound.describe();
    EXPECT_EQ(api().balance(account), balance_minor_max);
    const Response one_more = api().deposit(account, 1);
    EXPECT_EQ(one_more.status, 422) << one_more.describe();
    EXPECT_EQ(one_more.problem_code(), "balance_limit_exceeded");
    EXPECT_EQ(api().balance(account), balance_minor_max) << "the refused deposit wrote nothing";
    // The tenant's deposits are full, whoever would receive them.
    const std::string other = api().new_account();
    EXPECT_EQ(api().deposit(other, 1).problem_code(), "balance_limit_exceeded");
    EXPECT_EQ(api().balance(other), 0);
    EXPECT_EQ(http().get("/livez").status, 200);
}

// Each key inside the range OTPDesk's README documents, together pricing the longest rental above
// the host's largest price: a 24001-hour rental was 500 policy_violation. Such a config is now
// refused when the tenant is created, naming how many hours fit; at the edge it sells.
TEST_F(LimitsTest, AConfigThatWouldPriceASalePastTheHostsLimitIsRefused) {
    const std::string day_price = "price_per_day_minor = 1000000000000";
    const auto tenant_with = [&](const std::string& max_hours) {
        const std::string config =
            otpdesk_config_with({{"price_per_day_minor = 500", day_price}, {"max_hours = 1344", max_hours}});
        return op().create_tenant(R"({"name":"extreme prices","currency":"USD","policy":"otpdesk",)"
                                  R"("test_mode":true,"policy_config":)" +
                                  json_quote(config) + "}");
    };
    const Response refused = tenant_with("max_hours = 87600");
    EXPECT_EQ(refused.status, 422) << refused.describe();
    EXPECT_EQ(refused.problem_code(), "plugin_config_rejected");
    EXPECT_NE(refused.body.find("may be at most 24000"), std::string::npos) << refused.body;
    EXPECT_EQ(tenant_with("max_hours = 24001").problem_code(), "plugin_config_rejected");

    const Response created = tenant_with("max_hours = 24000");
    ASSERT_EQ(created.status, 201) << created.describe();
    TenantKeys keys;
    keys.id = created.json()["id"].str();
    keys.service = op().create_key(keys.id, "service").expect(201).json()["key"].str();
    TenantApi edge(http(), keys);
    const std::string account = edge.new_account(amount_minor_max);
    const Json longest = edge.buy_rental(account, 24000).expect(201).json();
    EXPECT_EQ(longest["price_minor"].i64(), amount_minor_max);
    EXPECT_EQ(edge.balance(account), 0);
}

}  // namespace
}  // namespace billing::integration
