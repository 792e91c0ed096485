// What operators see: /metrics counts orders by product and requests by route and
// status, and the host's stdout has one JSON line per request; neither holds an API key or an
// account, order or key id (the request log names the tenant, in its "tenant" member only).
#include <gtest/gtest.h>

#include <sstream>
#include <thread>
#include <vector>

#include "otpdesk_fixture.hpp"
#include "support/metrics_text.hpp"

namespace billing::integration {
namespace {

using MetricsTest = OtpDeskTest;

std::string created(const char* product) {
    return std::string("billing_orders_created_total{product=\"") + product + "\"}";
}

std::string requests(const char* route, int status) {
    return std::string("billing_http_requests_total{route=\"") + route + "\",status=\"" + std::to_string(status) +
           "\"}";
}

TEST_F(MetricsTest, OrdersAndRequestsAreCountedByProductRouteAndStatus) {
    const Response before = http().get("/metrics");
    ASSERT_EQ(before.status, 200);
    EXPECT_EQ(before.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");

    std::vector<std::string> activations;
    for (int i = 0; i < 3; ++i) activations.push_back(api().new_activation(account_));
    // A replay is a request (counted) but not an order (not counted).
    const std::string key = fresh_key();
    ASSERT_EQ(api().buy_activation(account_, "whatsapp", "us", key).status, 201);
    ASSERT_EQ(api().buy_activation(account_, "whatsapp", "us", key).header("idempotent-replayed"), "true");
    const std::string rental = api().new_rental(account_, 24);
    ASSERT_EQ(api().buy_rental(account_, 23).status, 422);
    ASSERT_EQ(api().cancel(activations[0]).status, 409);  // too early
    api().move_clock_to(at(api().created_at(activations[0]), 2));
    ASSERT_EQ(api().cancel(activations[0]).status, 200);
    ASSERT_EQ(api().move_clock_to(at(api().created_at(activations[0]), 20))["applied"].i64(), 4);

    const Response after = http().get("/metrics");
    ASSERT_EQ(after.status, 200);
    const auto delta = [&](const std::string& series) {
        return counter_value(after.body, series) - counter_value(before.body, series);
    };
    EXPECT_EQ(delta(created("activation")), 4) << after.body;
    EXPECT_EQ(delta(created("rental")), 1);
    EXPECT_EQ(delta(R"(billing_orders_cancelled_total{product="activation"})"), 1);
    // The cancelled one and the three expired ones (whatsapp in us: 300).
    EXPECT_EQ(delta(R"(billing_orders_refunded_total{product="activation"})"), 4);
    EXPECT_EQ(delta(R"(billing_refunded_minor_total{currency="USD"})"), 3 * telegram_us_minor + 300);
    EXPECT_EQ(delta(requests("orders.create", 201)), 6);
    EXPECT_EQ(delta(requests("orders.create", 422)), 1);
    EXPECT_EQ(delta(requests("orders.cancel", 409)), 1);
    EXPECT_EQ(delta(requests("orders.cancel", 200)), 1);
    EXPECT_EQ(delta(requests("test_clock.advance", 200)), 2);
    EXPECT_EQ(delta(requests("metrics", 200)), 1) << "the scrape before this one";
    EXPECT_EQ(delta(R"(billing_http_request_duration_seconds_count{route="orders.create"})"), 7);
    EXPECT_EQ(metric_value(after.body, R"(billing_plugin_info{name="otpdesk",version="1.0.0"})"), 1.0);

    // Labels are bounded sets: no id and no key becomes a series.
    for (const std::string& secret : {api().keys().service, api().keys().support, api().keys().admin,
                                      host().operator_key(), api().keys().id, account_, rental, activations[0]}) {
        EXPECT_EQ(after.body.find(secret), std::string::npos) << secret;
    }
    for (const char* prefix : {"bk_", "ten_", "acc_", "ord_", "trf_", "key_"}) {
        EXPECT_EQ(after.body.find(prefix), std::string::npos) << prefix << " in /metrics";
    }
}

// The JSON request lines of a host's stdout, by request id.
std::map<std::string, Json> request_lines(const std::string& out, int& lines_n) {
    std::map<std::string, Json> by_id;
    std::istringstream lines(out);
    lines_n = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] != '{') continue;
        const Json entry = Json::parse(line);
        if (!entry.has("request_id")) continue;
        ++lines_n;
        by_id.emplace(entry["request_id"].str(), entry);
    }
    return by_id;
}

struct Sent {
    Response response;
    std::string route;  // the route template the log line must name
    bool tenant = false;
};

TEST(RequestLog, EveryRequestIsOneJsonLineWithoutKeysOrIds) {
    auto host = HostProcess::start();
    std::vector<Sent> sent;
    std::vector<std::string> never_logged{host->operator_key(), host->demo().service_key, host->demo().support_key,
                                          host->demo().admin_key};
    std::string tenant_id;
    {
        HttpClient http("127.0.0.1", host->port());
        const RequestOptions as_operator{host->operator_key(), std::nullopt, ""};
        Response tenant =
            http.post("/admin/tenants", R"({"name":"log test","currency":"USD","policy":"otpdesk","test_mode":true})",
                      as_operator);
        tenant_id = tenant.json()["id"].str();
        sent.push_back({tenant, "/admin/tenants", false});
        Response key = http.post("/admin/tenants/" + tenant_id + "/keys", R"({"role":"service"})", as_operator);
        sent.push_back({key, "/admin/tenants/{id}/keys", false});
        const std::string service_key = key.json()["key"].str();
        never_logged.push_back(service_key);
        never_logged.push_back(key.json()["id"].str());

        TenantApi api(http, TenantKeys{tenant_id, service_key, "", ""});
        const Response account = api.create_account("customer-log-1");
        sent.push_back({account, "/v1/accounts", true});
        const std::string account_id = account.json()["id"].str();
        never_logged.push_back(account_id);
        sent.push_back({api.deposit(account_id, 1000), "/v1/accounts/{id}/deposits", true});
        const Response order = api.buy_activation(account_id);
        sent.push_back({order, "/v1/orders", true});
        const std::string order_id = order.json()["id"].str();
        never_logged.push_back(order_id);
        sent.push_back({api.cancel(order_id), "/v1/orders/{id}/cancel", true});  // 409, a warning
        sent.push_back({api.message(order_id, "whatsapp"), "/v1/orders/{id}/messages", true});
        sent.push_back({api.order(order_id), "/v1/orders/{id}", true});
        sent.push_back({api.transfers(account_id), "/v1/accounts/{id}/transfers", true});
        sent.push_back({http.get("/v1/orders/" + order_id, {"bk_svc_notakey_000", std::nullopt, ""}), "/v1/orders/{id}",
                        false});  // 401
        sent.push_back({http.get("/v1/nowhere/" + order_id), "unmatched", false});
        sent.push_back({http.get("/metrics"), "/metrics", false});
        // A request id that looks like a key is not taken (it would be logged).
        const Response key_as_id = http.get("/livez", {"", std::nullopt, service_key});
        EXPECT_NE(key_as_id.header("x-request-id"), service_key);
        sent.push_back({key_as_id, "/livez", false});
        const Response own_id = http.get("/readyz", {"", std::nullopt, "client-chosen-id.1"});
        EXPECT_EQ(own_id.header("x-request-id"), "client-chosen-id.1");
        sent.push_back({own_id, "/readyz", false});
    }
    // The log is read after a clean exit, when the host has flushed its stdout (see
    // RequestLog.ALineIsWrittenWhileTheHostRuns for the log of a running host).
    ASSERT_EQ(host->stop(), "exit 0") << host->stderr_text();
    const std::string out = host->stdout_text();

    int lines_n = 0;
    const auto lines = request_lines(out, lines_n);
    EXPECT_EQ(lines_n, static_cast<int>(sent.size())) << out;
    for (const Sent& s : sent) {
        const std::string id = s.response.header("x-request-id");
        ASSERT_FALSE(id.empty()) << s.response.describe();
        const auto found = lines.find(id);
        ASSERT_NE(found, lines.end()) << "no log line for " << s.response.describe();
        const Json& line = found->second;
        EXPECT_EQ(line["method"].str(), s.response.method);
        EXPECT_EQ(line["route"].str(), s.route) << s.response.describe();
        EXPECT_EQ(line["status"].i64(), s.response.status);
        EXPECT_EQ(line["level"].str(), s.response.status >= 500 ? "error" : s.response.status >= 400 ? "warn" : "info");
        if (s.tenant) {
            EXPECT_EQ(line["tenant"].str(), tenant_id);
        } else {
            EXPECT_TRUE(line["tenant"].is_null()) << line.dump();
        }
        (void)parse_rfc3339(line["ts"].str());
    }

    // Nothing after the start-up banner holds a key or an id: the demo keys are printed once,
    // before the listening line, by design (host.cpp create_demo_tenant).
    const std::string served = out.substr(out.find("billing-host: listening on"));
    for (const std::string& secret : never_logged) {
        EXPECT_EQ(served.find(secret), std::string::npos) << secret << " is in the log";
    }
    EXPECT_EQ(out.find(host->operator_key()), std::string::npos) << "the operator key is only in its file";
    // The tenant's id is in the log, and only as the "tenant" member.
    std::string without_tenant_members = served;
    const std::string member = "\"tenant\":\"" + tenant_id + "\"";
    for (auto at = without_tenant_members.find(member); at != std::string::npos;
         at = without_tenant_members.find(member)) {
        without_tenant_members.erase(at, member.size());
    }
    EXPECT_EQ(without_tenant_members.find(tenant_id), std::string::npos);
    EXPECT_EQ(served.find("bk_"), std::string::npos);
    expect_offline_audit_clean(*host);
}

// A collector reading the host's stdout (a pipe or a file, as here) must get each line when the
// request is done, not when the process exits or a buffer fills: otherwise the log lags, and a
// crash loses the last lines, the ones that explain it.
TEST(RequestLog, ALineIsWrittenWhileTheHostRuns) {
    auto host = HostProcess::start();
    HttpClient http("127.0.0.1", host->port());
    const Response ready = http.get("/readyz", {"", std::nullopt, "log-line-while-running"});
    ASSERT_EQ(ready.status, 200);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    bool written = false;
    while (!written && std::chrono::steady_clock::now() < deadline) {
        written = host->stdout_text().find("\"request_id\":\"log-line-while-running\"") != std::string::npos;
        if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(written) << "the request's log line was not in stdout 5 s after the answer; stdout so far:\n"
                         << host->stdout_text();
    expect_clean_stop_and_audit(*host);
}

}  // namespace
}  // namespace billing::integration
