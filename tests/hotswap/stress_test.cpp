// Hot swap under load: 16 clients, each on a test-mode tenant of its own (so each moves its own
// clock), run whole order lives while a swapper reloads OTPDesk every 100 ms, cycling 1.0.0 (the
// shipped build, config/otpdesk.toml), 2.0.0 (otpdesk-defaults.toml: a 30-minute window) and a
// broken file (refused, 422). Every order is decided by the terms it was sold with, so each life
// reads its windows from its purchase and expects its exact outcome and balance.
//
// BILLING_STRESS_SECONDS (default 30) sets how long the clients run.
#include <gtest/gtest.h>

#include <Poco/Exception.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "hotswap_support.hpp"
#include "support/host_test.hpp"

namespace billing::integration {
namespace {

using namespace hotswap;

constexpr int client_count = 16;
constexpr std::int64_t activation_minor = 250;  // telegram/us in both configs
constexpr std::int64_t rental_day_minor = 500;

int stress_seconds() {
    const char* text = std::getenv("BILLING_STRESS_SECONDS");
    if (text == nullptr || *text == '\0') return 30;
    const int seconds = std::atoi(text);
    return seconds > 0 ? seconds : 30;
}

struct Tally {
    std::atomic<long> requests{0};
    std::atomic<long> unexpected{0};        // a status (or a shape) other than the expected one
    std::atomic<long> transport_errors{0};  // still failing after the retries
    std::atomic<long> transport_retries{0};
    std::atomic<long> lives{0};
    // Activations sold with 1.0.0's 20-minute window (shipped config) and 2.0.0's 30 minutes.
    std::atomic<long> sold_20_min{0};
    std::atomic<long> sold_30_min{0};
    std::mutex mutex;
    std::vector<std::string> failures;  // the first few, for the message

    void fail(const std::string& what) {
        ++unexpected;
        std::lock_guard lock(mutex);
        if (failures.size() < 30) failures.push_back(what);
    }
};

// One client: its tenant, its account, and the balance the account must hold.
class Client {
public:
    Client(std::uint16_t port, TenantKeys keys, Tally& tally)
        : http_("127.0.0.1", port), keys_(std::move(keys)), tally_(tally) {}

    // A POST with an Idempotency-Key, sent again with the same key after a transport error.
    Response post(const std::string& target, const std::string& body) {
        const std::string key = fresh_key();
        for (int attempt = 0;; ++attempt) {
            try {
                ++tally_.requests;
                return http_.post(target, body, RequestOptions{keys_.service, key, ""});
            } catch (const Poco::Exception& e) {
                if (attempt == 4) {
                    ++tally_.transport_errors;
                    Response none;
                    none.method = "POST";
                    none.target = target;
                    none.body = "transport error: " + e.displayText();
                    return none;
                }
                ++tally_.transport_retries;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
    }

    Response get(const std::string& target) {
        for (int attempt = 0;; ++attempt) {
            try {
                ++tally_.requests;
                return http_.get(target, RequestOptions{keys_.service, std::nullopt, ""});
            } catch (const Poco::Exception& e) {
                if (attempt == 4) {
                    ++tally_.transport_errors;
                    Response none;
                    none.method = "GET";
                    none.target = target;
                    none.body = "transport error: " + e.displayText();
                    return none;
                }
                ++tally_.transport_retries;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
    }

    // The response when its status is `status`, else nullopt (counted and described).
    std::optional<Json> expect(const Response& r, int status, const std::string& step) {
        if (r.status != status) {
            tally_.fail(step + ": expected " + std::to_string(status) + ", got " + r.describe());
            return std::nullopt;
        }
        try {
            return r.json();
        } catch (const std::exception& e) {
            tally_.fail(step + ": " + e.what());
            return std::nullopt;
        }
    }

    bool check(bool ok, const std::string& what) {
        if (!ok) tally_.fail("tenant " + keys_.id + ": " + what);
        return ok;
    }

    bool open_account() {
        const auto created = expect(post("/v1/accounts", R"({"external_ref":"stress"})"), 201, "create account");
        if (!created) return false;
        account_ = (*created)["id"].str();
        return true;
    }

    bool deposit(std::int64_t amount) {
        const auto done =
            expect(post("/v1/accounts/" + account_ + "/deposits", R"({"amount_minor":)" + std::to_string(amount) + "}"),
                   200, "deposit");
        if (done) expected_balance_ += amount;
        return done.has_value();
    }

    bool move_to(UtcMs to_ms, const std::string& step) {
        return expect(post("/v1/test-clock/advance", R"({"to":)" + json_quote(format_rfc3339(to_ms)) + "}"), 200, step)
            .has_value();
    }

    std::optional<Json> order(const std::string& id) { return expect(get("/v1/orders/" + id), 200, "get order"); }

    bool balance_is_exact(const std::string& life) {
        const auto account = expect(get("/v1/accounts/" + account_), 200, "get account");
        if (!account) return false;
        return check((*account)["balance_minor"].i64() == expected_balance_,
                     life + ": balance " + std::to_string((*account)["balance_minor"].i64()) + ", expected " +
                         std::to_string(expected_balance_));
    }

    // One whole order life of kind n % 5; true when every step answered as expected.
    bool life(int n) {
        try {
            switch (n % 5) {
                case 0: return activation_cancelled();
                case 1: return activation_delivered();
                case 2: return activation_expired();
                case 3: return rental_cancelled();
                default: return rental_ended();
            }
        } catch (const std::exception& e) {
            tally_.fail("tenant " + keys_.id + ": life " + std::to_string(n % 5) + " threw: " + e.what());
            return false;
        }
    }

private:
    struct Bought {
        std::string id;
        UtcMs created = 0;
        Json order;
    };

    std::optional<Bought> buy(const std::string& body, std::int64_t price) {
        const auto bought = expect(post("/v1/orders", body), 201, "buy " + body);
        if (!bought) return std::nullopt;
        if (!check((*bought)["price_minor"].i64() == price, "price " + bought->dump())) return std::nullopt;
        expected_balance_ -= price;
        return Bought{(*bought)["id"].str(), parse_rfc3339((*bought)["created_at"].str()), *bought};
    }
    std::optional<Bought> buy_activation() {
        if (!deposit(activation_minor)) return std::nullopt;
        auto b = buy(R"({"account_id":)" + json_quote(account_) +
                         R"(,"product":"activation","attributes":{"service":"telegram","country":"us"}})",
                     activation_minor);
        if (!b) return b;
        const std::int64_t window = b->order["terms"]["window_ms"].i64();
        if (window == 20 * minute_ms) {
            ++tally_.sold_20_min;
        } else if (window == 30 * minute_ms) {
            ++tally_.sold_30_min;
        } else {
            check(false, "an activation window of neither version: " + b->order.dump());
            return std::nullopt;
        }
        return b;
    }
    std::optional<Bought> buy_rental() {
        if (!deposit(rental_day_minor)) return std::nullopt;
        return buy(R"({"account_id":)" + json_quote(account_) +
                       R"(,"product":"rental","numbers":{"duration_hours":24}})",
                   rental_day_minor);
    }

    bool state_is(const std::string& id, const std::string& state, const std::string& life) {
        const auto o = order(id);
        return o && check((*o)["state"].str() == state, life + ": expected " + state + ": " + o->dump());
    }

    bool activation_cancelled() {
        const auto b = buy_activation();
        if (!b) return false;
        if (!move_to(b->created + b->order["terms"]["cancel_from_ms"].i64(), "advance to the cancel")) return false;
        const auto cancelled = expect(post("/v1/orders/" + b->id + "/cancel", "{}"), 200, "cancel");
        if (!cancelled) return false;
        expected_balance_ += activation_minor;
        return check((*cancelled)["state"].str() == "cancelled", "cancel: " + cancelled->dump()) &&
               balance_is_exact("activation cancelled");
    }

    bool activation_delivered() {
        const auto b = buy_activation();
        if (!b) return false;
        if (!move_to(b->created + 30 * second_ms, "advance to the code")) return false;
        const auto delivered =
            expect(post("/v1/orders/" + b->id + "/messages", R"({"service":"telegram"})"), 200, "message");
        if (!delivered || !check((*delivered)["state"].str() == "delivered", "message: " + delivered->dump())) {
            return false;
        }
        if (!move_to(b->created + b->order["terms"]["window_ms"].i64(), "advance to the window's end")) return false;
        return state_is(b->id, "completed", "activation delivered") && balance_is_exact("activation delivered");
    }

    bool activation_expired() {
        const auto b = buy_activation();
        if (!b) return false;
        const std::int64_t window = b->order["terms"]["window_ms"].i64();
        if (!move_to(b->created + window - 1, "advance to 1 ms before the window's end")) return false;
        if (!state_is(b->id, "active", "activation before its end")) return false;
        if (!move_to(b->created + window, "advance to the window's end")) return false;
        expected_balance_ += activation_minor;
        return state_is(b->id, "expired", "activation expired") && balance_is_exact("activation expired");
    }

    bool rental_cancelled() {
        const auto b = buy_rental();
        if (!b) return false;
        if (!move_to(b->created + minute_ms, "advance into the rental")) return false;
        const auto cancelled = expect(post("/v1/orders/" + b->id + "/cancel", "{}"), 200, "cancel rental");
        if (!cancelled) return false;
        expected_balance_ += rental_day_minor;
        return check((*cancelled)["state"].str() == "cancelled", "cancel rental: " + cancelled->dump()) &&
               balance_is_exact("rental cancelled");
    }

    bool rental_ended() {
        const auto b = buy_rental();
        if (!b) return false;
        if (!move_to(b->created + 24 * hour_ms, "advance to the rental's end")) return false;
        return state_is(b->id, "ended", "rental ended") && balance_is_exact("rental ended");
    }

    HttpClient http_;
    TenantKeys keys_;
    Tally& tally_;
    std::string account_;
    std::int64_t expected_balance_ = 0;
};

TEST(HotSwapStress, OrderLivesStayExactWhileThePolicyIsSwappedEvery100ms) {
    std::unique_ptr<HostProcess> host;
    try {
        host = HostProcess::start();
    } catch (const std::exception& e) {
        FAIL() << "the host did not start: " << e.what();
    }
    HttpClient admin("127.0.0.1", host->port());
    OperatorApi op(admin, host->operator_key());
    std::vector<std::unique_ptr<Client>> clients;
    Tally tally;
    for (int i = 0; i < client_count; ++i) {
        clients.push_back(std::make_unique<Client>(host->port(), op.new_tenant("stress " + std::to_string(i)), tally));
        ASSERT_TRUE(clients.back()->open_account()) << tally.failures.front();
    }

    const int seconds = stress_seconds();
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    std::vector<std::thread> threads;
    for (int i = 0; i < client_count; ++i) {
        threads.emplace_back([&, i] {
            Client& client = *clients[static_cast<std::size_t>(i)];
            for (int n = i; std::chrono::steady_clock::now() < end; ++n) {
                if (client.life(n)) ++tally.lives;
            }
        });
    }

    // The swapper: v1, v2, a broken file, again and again.
    std::atomic<bool> clients_done{false};
    long swaps = 0;
    long refusals = 0;
    long swapper_unexpected = 0;
    long swapper_transport_errors = 0;
    std::vector<std::string> swapper_failures;
    std::thread swapper([&] {
        HttpClient http("127.0.0.1", host->port());
        const std::string broken[] = {loader_fixture("abi_major"), otpdesk_named_fixture("config_rejects")};
        for (long n = 0; !clients_done; ++n) {
            std::string body;
            int status = 200;
            switch (n % 3) {
                case 0: body = reload_body(v1_file, shipped_config); break;
                case 1: body = reload_body(v2_file, defaults_config); break;
                default: body = reload_body(broken[(n / 3) % 2]); status = 422;
            }
            try {
                const Response r = reload(http, host->operator_key(), body);
                if (r.status != status || (status == 422 && r.problem_code() != "plugin_reload_refused")) {
                    ++swapper_unexpected;
                    if (swapper_failures.size() < 10) swapper_failures.push_back(r.describe());
                } else if (status == 200) {
                    ++swaps;
                } else {
                    ++refusals;
                }
            } catch (const Poco::Exception& e) {
                ++swapper_transport_errors;
                if (swapper_failures.size() < 10) swapper_failures.push_back(e.displayText());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });

    for (std::thread& t : threads) t.join();
    clients_done = true;
    swapper.join();

    std::cout << "hotswap stress: " << seconds << " s, " << swaps << " swaps, " << refusals << " refused reloads, "
              << tally.lives << " order lives completed, " << tally.requests << " client requests, "
              << tally.transport_retries << " transport retries; activations sold with a 20-minute window "
              << tally.sold_20_min << ", with a 30-minute window " << tally.sold_30_min << "\n";

    std::ostringstream failures;
    for (const std::string& f : tally.failures) failures << "  " << f << "\n";
    EXPECT_EQ(tally.unexpected.load(), 0) << failures.str();
    EXPECT_EQ(tally.transport_errors.load(), 0) << failures.str();
    std::ostringstream swapper_text;
    for (const std::string& f : swapper_failures) swapper_text << "  " << f << "\n";
    EXPECT_EQ(swapper_unexpected, 0) << swapper_text.str();
    EXPECT_EQ(swapper_transport_errors, 0) << swapper_text.str();
    EXPECT_GT(swaps, 0);
    EXPECT_GT(tally.lives.load(), 0);
    EXPECT_GT(tally.sold_20_min.load(), 0) << "no activation was sold by 1.0.0";
    EXPECT_GT(tally.sold_30_min.load(), 0) << "no activation was sold by 2.0.0";

    // Still serving; a last swap, then nothing drains and only the serving copy is mapped.
    ASSERT_TRUE(host->running());
    const Response last = reload(admin, host->operator_key(), reload_body(v2_file, defaults_config));
    ASSERT_EQ(last.status, 200) << last.describe();
    const std::string serving = last.json()["serving"]["mapped_file"].str();
    const std::string copies_dir = std::filesystem::path(serving).parent_path().string();
    const auto only_serving_mapped = [&] {
        std::istringstream lines(proc_maps(host->pid()));
        bool found = false;
        for (std::string line; std::getline(lines, line);) {
            if (line.find(copies_dir + "/") == std::string::npos) continue;
            if (line.find(serving) == std::string::npos) return false;
            found = true;
        }
        return found;
    };
    EXPECT_TRUE(eventually(
        [&] { return plugin_status(admin, host->operator_key())["draining"].size() == 0 && only_serving_mapped(); },
        std::chrono::seconds(5)))
        << "draining: " << plugin_status(admin, host->operator_key())["draining"].dump() << "\nserving " << serving
        << "\nmaps:\n"
        << proc_maps(host->pid());

    try {
        op.require_audit_clean();
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
    }
    expect_clean_stop_and_audit(*host);
}

}  // namespace
}  // namespace billing::integration
