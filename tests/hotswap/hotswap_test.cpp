// Hot swap of a policy plugin in the real billing-host (DESIGN §3, policy_registry.hpp): a new
// OTPDesk version serves new purchases while every order keeps the terms it was sold with; a
// refused file changes nothing; the old version is unmapped once no request holds it; SIGHUP and
// the file watch swap the same way; a tenant's own config follows its binding.
//
// OTPDesk 2.0.0 (tests/hotswap/CMakeLists.txt) differs from 1.0.0 in its version string and its
// default activation window only: 30 minutes instead of 20. The hosts here are configured with
// otpdesk-defaults.toml (prices only), so the window is each version's default.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "hotswap_support.hpp"
#include "support/host_test.hpp"

namespace billing::integration {
namespace {

using namespace hotswap;
namespace fs = std::filesystem;

constexpr std::int64_t telegram_us_minor = 250;  // otpdesk-defaults.toml and config/otpdesk.toml
constexpr std::int64_t deposit_minor = 100'000;
constexpr UtcMs at(UtcMs created_ms, std::int64_t minutes, std::int64_t seconds = 0, std::int64_t ms = 0) {
    return created_ms + minutes * minute_ms + seconds * second_ms + ms;
}

// One host per test (its plugin state is what the test changes), on otpdesk-defaults.toml, with a
// test-mode tenant holding deposit_minor. After the test: the audit over HTTP, a clean SIGTERM,
// and the offline audit.
class SwapTest : public ::testing::Test {
protected:
    virtual HostOptions options() {
        HostOptions o;
        o.otpdesk_config = defaults_config;
        return o;
    }

    void SetUp() override {
        try {
            host_ = HostProcess::start(options());
        } catch (const std::exception& e) {
            FAIL() << "the host did not start: " << e.what();
        }
        http_ = std::make_unique<HttpClient>("127.0.0.1", host_->port());
        op_ = std::make_unique<OperatorApi>(*http_, host_->operator_key());
        api_ = std::make_unique<TenantApi>(
            *http_, op_->new_tenant(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        account_ = api_->new_account(deposit_minor);
    }

    void TearDown() override {
        if (!host_) return;
        if (host_->running()) {
            try {
                op_->require_audit_clean();
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
            }
        }
        expect_clean_stop_and_audit(*host_);
    }

    HostProcess& host() { return *host_; }
    HttpClient& http() { return *http_; }
    TenantApi& api() { return *api_; }
    Json status() { return plugin_status(*http_, host_->operator_key()); }
    Response swap(const std::string& body) { return reload(*http_, host_->operator_key(), body); }
    Json order(const std::string& id) { return api_->order(id).expect(200).json(); }
    std::int64_t balance() { return api_->balance(account_); }
    Json events(const std::string& id) { return api_->events(id).expect(200).json()["data"]; }

    // A purchase and its cancel at 2:00 still work, and give the money back.
    void expect_purchase_and_cancel_work(const std::string& context) {
        const std::int64_t before = balance();
        const Response bought = api_->buy_activation(account_);
        ASSERT_EQ(bought.status, 201) << context << ": " << bought.describe();
        const std::string id = bought.json()["id"].str();
        const UtcMs created = parse_rfc3339(bought.json()["created_at"].str());
        api_->move_clock_to(at(created, 2));
        const Response cancelled = api_->cancel(id);
        ASSERT_EQ(cancelled.status, 200) << context << ": " << cancelled.describe();
        EXPECT_EQ(cancelled.json()["state"].str(), "cancelled") << context;
        EXPECT_EQ(balance(), before) << context;
    }

    std::unique_ptr<HostProcess> host_;
    std::unique_ptr<HttpClient> http_;
    std::unique_ptr<OperatorApi> op_;
    std::unique_ptr<TenantApi> api_;
    std::string account_;
};

::testing::AssertionResult refused_with(const Response& r, int status, const std::string& code) {
    if (r.status != status || r.problem_code() != code) {
        return ::testing::AssertionFailure() << "expected " << status << " " << code << ", got " << r.describe();
    }
    return ::testing::AssertionSuccess();
}

TEST_F(SwapTest, ThePluginListShowsTheServingVersionAndItsMappedCopy) {
    const Json list =
        http().get("/admin/plugins", RequestOptions{host().operator_key(), std::nullopt, ""}).expect(200).json();
    EXPECT_EQ(list["object"].str(), "list");
    EXPECT_FALSE(list["has_more"].boolean());
    ASSERT_EQ(list["data"].size(), 1U) << list.dump();
    const Json p = list["data"][0];
    EXPECT_EQ(p["name"].str(), "otpdesk");
    EXPECT_EQ(p["object"].str(), "plugin");
    EXPECT_EQ(p["version"].str(), "1.0.0");
    EXPECT_FALSE(p["abi"].str().empty());
    EXPECT_FALSE(p["build_key"].str().empty());
    EXPECT_EQ(p["sha256"].str().size(), 64U);
    EXPECT_EQ(p["file"].str(), v1_file);
    EXPECT_EQ(p["config"].str(), defaults_config);
    EXPECT_NE(p["mapped_file"].str(), v1_file) << "a private copy is mapped";
    EXPECT_TRUE(mapped(host().pid(), p["mapped_file"].str())) << proc_maps(host().pid());
    EXPECT_FALSE(p["loaded_at"].str().empty());
    EXPECT_GE(p["live_references"].i64(), 0);
    EXPECT_EQ(p["tenant_configs"].i64(), 0);
    std::vector<std::string> products;
    for (std::size_t i = 0; i < p["products"].size(); ++i) products.push_back(p["products"][i].str());
    EXPECT_NE(std::find(products.begin(), products.end(), "activation"), products.end()) << p.dump();
    EXPECT_NE(std::find(products.begin(), products.end(), "rental"), products.end()) << p.dump();
    EXPECT_EQ(p["draining"].size(), 0U);

    // The reload's serving version is what the list shows next.
    const Response swapped = swap(reload_body(v2_file, defaults_config));
    ASSERT_EQ(swapped.status, 200) << swapped.describe();
    const Json serving = swapped.json()["serving"];
    const Json after = status();
    EXPECT_EQ(after["version"].str(), serving["version"].str());
    EXPECT_EQ(after["sha256"].str(), serving["sha256"].str());
    EXPECT_EQ(after["mapped_file"].str(), serving["mapped_file"].str());
    EXPECT_EQ(after["loaded_at"].str(), serving["loaded_at"].str());
    EXPECT_EQ(after["file"].str(), v2_file);
    EXPECT_EQ(swapped.json()["previous"]["sha256"].str(), p["sha256"].str());
}

TEST_F(SwapTest, OrdersKeepTheTermsTheyWereSoldWithAcrossASwap) {
    const Json a = api().buy_activation(account_).expect(201).json();
    EXPECT_EQ(a["terms"]["window_ms"].i64(), 20 * minute_ms) << "1.0.0's default window";
    EXPECT_EQ(a["terms"]["cancel_from_ms"].i64(), 2 * minute_ms);
    const std::string id_a = a["id"].str();
    const UtcMs created = parse_rfc3339(a["created_at"].str());

    const Response swapped = swap(reload_body(v2_file, defaults_config));
    ASSERT_EQ(swapped.status, 200) << swapped.describe();
    const Json report = swapped.json();
    EXPECT_EQ(report["object"].str(), "plugin_reload");
    EXPECT_EQ(report["name"].str(), "otpdesk");
    EXPECT_EQ(report["previous"]["version"].str(), "1.0.0");
    EXPECT_EQ(report["serving"]["version"].str(), "2.0.0");
    EXPECT_NE(report["previous"]["sha256"].str(), report["serving"]["sha256"].str());
    EXPECT_EQ(status()["version"].str(), "2.0.0");

    // B runs out its window, C is cancelled just before its end.
    const Json b = api().buy_activation(account_).expect(201).json();
    const Json c = api().buy_activation(account_).expect(201).json();
    const std::string id_b = b["id"].str();
    const std::string id_c = c["id"].str();
    for (const Json& o : {b, c}) {
        EXPECT_EQ(o["terms"]["window_ms"].i64(), 30 * minute_ms) << "2.0.0's default window";
        EXPECT_EQ(o["terms"]["cancel_from_ms"].i64(), 2 * minute_ms);
        EXPECT_EQ(o["price_minor"].i64(), telegram_us_minor);
        EXPECT_EQ(parse_rfc3339(o["created_at"].str()), created);
    }
    EXPECT_EQ(order(id_a)["terms"]["window_ms"].i64(), 20 * minute_ms) << "A keeps its terms after the swap";
    EXPECT_EQ(balance(), deposit_minor - 3 * telegram_us_minor);

    // The cancel opens at 2:00 in both versions.
    api().move_clock_to(at(created, 1, 59, 999));
    EXPECT_TRUE(refused_with(api().cancel(id_c), 409, "cancel_too_early"));

    // A: refunded at exactly 20:00 (its own terms), not a ms earlier, although 2.0.0 decides it.
    api().move_clock_to(at(created, 19, 59, 999));
    EXPECT_EQ(order(id_a)["state"].str(), "active");
    EXPECT_EQ(balance(), deposit_minor - 3 * telegram_us_minor);
    api().move_clock_to(at(created, 20));
    const Json expired_a = order(id_a);
    EXPECT_EQ(expired_a["state"].str(), "expired");
    EXPECT_EQ(expired_a["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(parse_rfc3339(expired_a["closed_at"].str()), at(created, 20));
    EXPECT_EQ(order(id_b)["state"].str(), "active") << "B's window is 30 minutes";
    EXPECT_EQ(order(id_c)["state"].str(), "active");
    EXPECT_EQ(balance(), deposit_minor - 2 * telegram_us_minor);
    EXPECT_TRUE(refused_with(api().cancel(id_a), 409, "order_closed"));

    // A's purchase was decided by 1.0.0, its expiry by 2.0.0.
    const Json events_a = events(id_a);
    ASSERT_GE(events_a.size(), 2U) << events_a.dump();
    EXPECT_EQ(events_a[0]["policy"].str(), "otpdesk@1.0.0") << events_a.dump();
    const Json last_a = events_a[events_a.size() - 1];
    EXPECT_EQ(last_a["type"].str(), "timer") << events_a.dump();
    EXPECT_EQ(last_a["timer"].str(), "expire") << events_a.dump();
    EXPECT_EQ(last_a["decided_at"].str(), format_rfc3339(at(created, 20)));
    EXPECT_EQ(last_a["policy"].str(), "otpdesk@2.0.0") << events_a.dump();

    // C: a cancel at 29:59.999 is still inside 2.0.0's window (1.0.0 would say order_closed).
    api().move_clock_to(at(created, 29, 59, 999));
    const Response cancelled = api().cancel(id_c);
    ASSERT_EQ(cancelled.status, 200) << cancelled.describe();
    EXPECT_EQ(cancelled.json()["state"].str(), "cancelled");
    EXPECT_EQ(cancelled.json()["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(order(id_b)["state"].str(), "active");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    // B: refunded at exactly 30:00.
    api().move_clock_to(at(created, 30));
    const Json expired_b = order(id_b);
    EXPECT_EQ(expired_b["state"].str(), "expired");
    EXPECT_EQ(parse_rfc3339(expired_b["closed_at"].str()), at(created, 30));
    EXPECT_EQ(balance(), deposit_minor);

    for (const std::string& id : {id_b, id_c}) {
        const Json list = events(id);
        ASSERT_GE(list.size(), 2U) << list.dump();
        for (std::size_t i = 0; i < list.size(); ++i) {
            EXPECT_EQ(list[i]["policy"].str(), "otpdesk@2.0.0") << list.dump();
        }
    }
}

TEST_F(SwapTest, ARefusedFileChangesNothing) {
    struct Case {
        std::string what;
        std::string body;
        std::string cause;
    };
    // A policy config OTPDesk itself refuses, for a swap to an otherwise good 2.0.0.
    const fs::path bad_config = host().dir() / "negative-window.toml";
    std::ofstream(bad_config) << "[activation]\nwindow_s = -1\n\n" << read_text(defaults_config);
    const std::vector<Case> cases = {
        // Refused by the loader before the name is known or checked.
        {"abi_major", reload_body(loader_fixture("abi_major")), "plugin_abi_major_mismatch"},
        {"abi_minor", reload_body(loader_fixture("abi_minor")), "plugin_abi_minor_newer"},
        {"build_key", reload_body(loader_fixture("build_key")), "plugin_build_key_mismatch"},
        {"bad_descriptor", reload_body(loader_fixture("bad_descriptor")), "plugin_bad_descriptor"},
        {"no_descriptor", reload_body(loader_fixture("no_descriptor")), "plugin_no_descriptor"},
        {"undefined_symbol", reload_body(loader_fixture("undefined_symbol")), "plugin_dlopen_failed"},
        {"missing file", reload_body((host().dir() / "no-such-plugin.so").string()), "plugin_file_missing"},
        // Another policy's file: the loader's fixtures are all named "fixture", so the name
        // check refuses them before their own fault shows.
        {"good_v1", reload_body(loader_fixture("good_v1")), "plugin_name_mismatch"},
        {"factory_throws", reload_body(loader_fixture("factory_throws")), "plugin_name_mismatch"},
        {"config_rejects", reload_body(loader_fixture("config_rejects")), "plugin_name_mismatch"},
        {"info_mismatch", reload_body(loader_fixture("info_mismatch")), "plugin_name_mismatch"},
        // The same faults in files named "otpdesk".
        {"otpdesk factory_throws", reload_body(otpdesk_named_fixture("factory_throws")), "plugin_factory_failed"},
        {"otpdesk config_rejects", reload_body(otpdesk_named_fixture("config_rejects")), "plugin_config_rejected"},
        {"otpdesk info_mismatch", reload_body(otpdesk_named_fixture("info_mismatch")), "plugin_info_mismatch"},
        {"otpdesk without its products", reload_body(otpdesk_named_fixture("good")), "plugin_incompatible"},
        // Good 2.0.0, bad config.
        {"config OTPDesk refuses", reload_body(v2_file, bad_config.string()), "plugin_config_rejected"},
        {"missing config", reload_body(v2_file, (host().dir() / "no-such.toml").string()), "config_unreadable"},
    };
    const Json initial = status();
    ASSERT_EQ(initial["version"].str(), "1.0.0");
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        const Response refused = swap(c.body);
        EXPECT_EQ(refused.status, 422) << refused.describe();
        EXPECT_EQ(refused.problem_code(), "plugin_reload_refused") << refused.describe();
        if (refused.status == 422) {
            const Json problem = refused.json();
            EXPECT_TRUE(problem.has("cause")) << refused.describe();
            if (problem.has("cause")) {
                EXPECT_EQ(problem["cause"].str(), c.cause) << refused.describe();
            }
        }
        const Json after = status();
        EXPECT_EQ(after["version"].str(), initial["version"].str());
        EXPECT_EQ(after["sha256"].str(), initial["sha256"].str());
        EXPECT_EQ(after["mapped_file"].str(), initial["mapped_file"].str());
        EXPECT_EQ(after["file"].str(), initial["file"].str());
        EXPECT_EQ(after["config"].str(), initial["config"].str());
        EXPECT_EQ(after["draining"].size(), 0U) << after.dump();
        EXPECT_TRUE(mapped(host().pid(), initial["mapped_file"].str()));
        expect_purchase_and_cancel_work(c.what);
    }
    // Nothing of the refused files stays mapped.
    const std::string maps = proc_maps(host().pid());
    EXPECT_EQ(maps.find(BILLING_FIXTURE_DIR), std::string::npos) << maps;
    EXPECT_EQ(maps.find(BILLING_HOTSWAP_FIXTURE_DIR), std::string::npos) << maps;

    const Response unknown = reload(http(), host().operator_key(), "{}", "no_such_policy");
    EXPECT_TRUE(refused_with(unknown, 404, "plugin_not_found"));
}

TEST_F(SwapTest, TheOldVersionIsUnmappedOnceNoRequestHoldsIt) {
    const Json before = status();
    const std::string v1_mapped = before["mapped_file"].str();
    ASSERT_FALSE(v1_mapped.empty());
    EXPECT_TRUE(mapped(host().pid(), v1_mapped)) << proc_maps(host().pid());
    EXPECT_EQ(before["draining"].size(), 0U);

    const Response swapped = swap(reload_body(v2_file, defaults_config));
    ASSERT_EQ(swapped.status, 200) << swapped.describe();
    const std::string v2_mapped = swapped.json()["serving"]["mapped_file"].str();
    EXPECT_NE(v2_mapped, v1_mapped);

    EXPECT_TRUE(eventually([&] { return status()["draining"].size() == 0 && !mapped(host().pid(), v1_mapped); },
                           std::chrono::seconds(5)))
        << "draining: " << status()["draining"].dump() << "\nmaps:\n"
        << proc_maps(host().pid());
    EXPECT_TRUE(mapped(host().pid(), v2_mapped)) << proc_maps(host().pid());
    EXPECT_EQ(status()["mapped_file"].str(), v2_mapped);
    EXPECT_EQ(status()["version"].str(), "2.0.0");

    // A reload of the same file maps a fresh copy and lets the previous one go the same way.
    const Response again = swap("{}");
    ASSERT_EQ(again.status, 200) << again.describe();
    EXPECT_EQ(again.json()["previous"]["version"].str(), "2.0.0");
    EXPECT_EQ(again.json()["serving"]["version"].str(), "2.0.0");
    const std::string v2_again = again.json()["serving"]["mapped_file"].str();
    EXPECT_NE(v2_again, v2_mapped);
    EXPECT_TRUE(eventually([&] { return status()["draining"].size() == 0 && !mapped(host().pid(), v2_mapped); },
                           std::chrono::seconds(5)))
        << "draining: " << status()["draining"].dump() << "\nmaps:\n"
        << proc_maps(host().pid());
    EXPECT_TRUE(mapped(host().pid(), v2_again));
    expect_purchase_and_cancel_work("after the swaps");
}

TEST_F(SwapTest, SighupReloadsThePolicyFromBillingToml) {
    const fs::path config = host().config_file();
    const std::string original = read_text(config.string());
    const std::string v1_line = "file = \"" + v1_file + "\"";
    const auto at_line = original.find(v1_line);
    ASSERT_NE(at_line, std::string::npos) << original;
    std::string with_v2 = original;
    with_v2.replace(at_line, v1_line.size(), "file = \"" + v2_file + "\"");
    std::ofstream(config, std::ios::trunc) << with_v2;

    ASSERT_EQ(::kill(host().pid(), SIGHUP), 0);
    EXPECT_TRUE(eventually([&] { return status()["version"].str() == "2.0.0"; }, std::chrono::seconds(10)))
        << host().stdout_text();
    EXPECT_TRUE(eventually(
        [&] { return host().stdout_text().find("billing-host: policy otpdesk: 1.0.0 -> 2.0.0") != std::string::npos; },
        std::chrono::seconds(5)))
        << host().stdout_text();
    const Json v2 = status();
    EXPECT_EQ(v2["file"].str(), v2_file);
    const Json bought = api().buy_activation(account_).expect(201).json();
    EXPECT_EQ(bought["terms"]["window_ms"].i64(), 30 * minute_ms);

    // A billing.toml that no longer parses: nothing reloaded, 2.0.0 still serving.
    std::ofstream(config, std::ios::trunc) << with_v2 << "\nthis line = = is not toml\n";
    ASSERT_EQ(::kill(host().pid(), SIGHUP), 0);
    EXPECT_TRUE(
        eventually([&] { return host().stdout_text().find("billing-host: nothing reloaded") != std::string::npos; },
                   std::chrono::seconds(10)))
        << host().stdout_text();
    const Json still = status();
    EXPECT_EQ(still["version"].str(), "2.0.0");
    EXPECT_EQ(still["sha256"].str(), v2["sha256"].str());
    EXPECT_EQ(still["mapped_file"].str(), v2["mapped_file"].str());
    EXPECT_TRUE(host().running());
    expect_purchase_and_cancel_work("after the unparsable billing.toml");

    // The offline audit at the end reads billing.toml.
    std::ofstream(config, std::ios::trunc) << with_v2;
}

// A host watching its plugin file, a copy in its own dir, and its config, a copy of
// otpdesk-defaults.toml in a temp file of the test's.
class WatchTest : public SwapTest {
protected:
    HostOptions options() override {
        HostOptions o = SwapTest::options();
        config_copy_ =
            fs::temp_directory_path() / ("billing-hotswap-watch-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml");
        fs::copy_file(defaults_config, config_copy_, fs::copy_options::overwrite_existing);
        o.otpdesk_config = config_copy_.string();
        o.otpdesk_file_in_dir = true;
        o.plugins_watch = true;
        o.plugins_watch_interval_ms = 100;
        return o;
    }
    void TearDown() override {
        SwapTest::TearDown();
        std::error_code ignored;
        fs::remove(config_copy_, ignored);
    }

    fs::path config_copy_;
};

TEST_F(WatchTest, AChangedFileIsSwappedInAndABrokenOneIsNot) {
    const fs::path copy = host().dir() / "otpdesk.so";
    ASSERT_EQ(status()["file"].str(), copy.string());
    ASSERT_EQ(status()["version"].str(), "1.0.0");

    fs::copy_file(v2_file, copy, fs::copy_options::overwrite_existing);
    EXPECT_TRUE(eventually([&] { return status()["version"].str() == "2.0.0"; }, std::chrono::seconds(10)))
        << host().stdout_text();
    const Json v2 = status();
    EXPECT_EQ(api().buy_activation(account_).expect(201).json()["terms"]["window_ms"].i64(), 30 * minute_ms);

    fs::copy_file(loader_fixture("abi_major"), copy, fs::copy_options::overwrite_existing);
    // The watch tries it (and logs the refusal) ...
    EXPECT_TRUE(eventually(
        [&] { return host().stdout_text().find(R"("code":"plugin_abi_major_mismatch")") != std::string::npos; },
        std::chrono::seconds(10)))
        << host().stdout_text();
    // ... and does not try again while the file stays the same.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const Json still = status();
    EXPECT_EQ(still["version"].str(), "2.0.0");
    EXPECT_EQ(still["sha256"].str(), v2["sha256"].str());
    EXPECT_EQ(still["mapped_file"].str(), v2["mapped_file"].str());
    expect_purchase_and_cancel_work("after the broken file");
}

TEST_F(WatchTest, AChangedConfigIsReloadedAndARefusedOneIsNot) {
    const Json before = status();
    ASSERT_EQ(before["config"].str(), config_copy_.string());
    EXPECT_EQ(api().buy_activation(account_).expect(201).json()["terms"]["window_ms"].i64(), 20 * minute_ms);

    std::ofstream(config_copy_, std::ios::trunc) << "[activation]\nwindow_s = 1500\n\n" << read_text(defaults_config);
    EXPECT_TRUE(eventually([&] { return status()["mapped_file"].str() != before["mapped_file"].str(); },
                           std::chrono::seconds(10)))
        << host().stdout_text();
    const Json reloaded = status();
    EXPECT_EQ(reloaded["version"].str(), "1.0.0");
    EXPECT_EQ(reloaded["sha256"].str(), before["sha256"].str());
    EXPECT_EQ(api().buy_activation(account_).expect(201).json()["terms"]["window_ms"].i64(), 25 * minute_ms);

    std::ofstream(config_copy_, std::ios::trunc) << "[activation]\nwindow_s = -1\n\n" << read_text(defaults_config);
    EXPECT_TRUE(
        eventually([&] { return host().stdout_text().find(R"("code":"plugin_config_rejected")") != std::string::npos; },
                   std::chrono::seconds(10)))
        << host().stdout_text();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(status()["mapped_file"].str(), reloaded["mapped_file"].str());
    EXPECT_EQ(api().buy_activation(account_).expect(201).json()["terms"]["window_ms"].i64(), 25 * minute_ms)
        << "the last accepted config still decides";
}

TEST_F(SwapTest, ARebindWithItsOwnConfigDecidesLaterOrdersOnly) {
    const std::string tenant = api().keys().id;
    const Json x = api().buy_activation(account_).expect(201).json();
    EXPECT_EQ(x["terms"]["window_ms"].i64(), 20 * minute_ms);
    const UtcMs created = parse_rfc3339(x["created_at"].str());

    const std::string own = "[activation]\nwindow_s = 1500\n\n" + read_text(defaults_config);
    const RequestOptions operator_options{host().operator_key(), std::nullopt, ""};
    const Response rebound =
        http().post("/admin/tenants/" + tenant + "/policy",
                    R"({"policy":"otpdesk","policy_config":)" + json_quote(own) + "}", operator_options);
    ASSERT_EQ(rebound.status, 200) << rebound.describe();
    EXPECT_EQ(rebound.json()["policy"].str(), "otpdesk");
    EXPECT_TRUE(rebound.json()["custom_policy_config"].boolean());

    const Json y = api().buy_activation(account_).expect(201).json();
    EXPECT_EQ(y["terms"]["window_ms"].i64(), 25 * minute_ms);
    EXPECT_EQ(order(x["id"].str())["terms"]["window_ms"].i64(), 20 * minute_ms);

    // A config the policy refuses: 422, and the tenant keeps its binding.
    const std::string refused_config = "[activation]\nwindow_s = -1\n\n" + read_text(defaults_config);
    const Response refused =
        http().post("/admin/tenants/" + tenant + "/policy",
                    R"({"policy":"otpdesk","policy_config":)" + json_quote(refused_config) + "}", operator_options);
    EXPECT_TRUE(refused_with(refused, 422, "plugin_config_rejected"));
    const Json z = api().buy_activation(account_).expect(201).json();
    EXPECT_EQ(z["terms"]["window_ms"].i64(), 25 * minute_ms) << "the binding stays";

    // A swap carries the tenant's own config over: 2.0.0 configured with it gives 25 minutes too.
    const Response swapped = swap(reload_body(v2_file, defaults_config));
    ASSERT_EQ(swapped.status, 200) << swapped.describe();
    EXPECT_EQ(swapped.json()["tenant_configs"].i64(), 1);
    const Json w = api().buy_activation(account_).expect(201).json();
    EXPECT_EQ(w["terms"]["window_ms"].i64(), 25 * minute_ms);
    EXPECT_EQ(balance(), deposit_minor - 4 * telegram_us_minor);

    api().move_clock_to(at(created, 19, 59, 999));
    EXPECT_EQ(order(x["id"].str())["state"].str(), "active");
    api().move_clock_to(at(created, 20));
    EXPECT_EQ(order(x["id"].str())["state"].str(), "expired");
    EXPECT_EQ(balance(), deposit_minor - 3 * telegram_us_minor);
    api().move_clock_to(at(created, 24, 59, 999));
    for (const Json& o : {y, z, w}) EXPECT_EQ(order(o["id"].str())["state"].str(), "active");
    api().move_clock_to(at(created, 25));
    for (const Json& o : {y, z, w}) {
        const Json done = order(o["id"].str());
        EXPECT_EQ(done["state"].str(), "expired");
        EXPECT_EQ(parse_rfc3339(done["closed_at"].str()), at(created, 25));
    }
    EXPECT_EQ(balance(), deposit_minor);
}

}  // namespace
}  // namespace billing::integration
