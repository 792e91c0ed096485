#include "support/billing_api.hpp"

#include <unistd.h>

#include <Poco/Exception.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "billing/http/request_log.hpp"

namespace billing::integration {

std::string fresh_key() {
    static const std::string process_part = [] {
        std::random_device device;
        char text[64];
        std::snprintf(text, sizeof text, "it-%d-%08x", static_cast<int>(::getpid()), device());
        return std::string(text);
    }();
    static std::atomic<long> counter{0};
    return process_part + "-" + std::to_string(++counter);
}

std::string json_quote(const std::string& text) {
    std::string out;
    http::append_json_string(out, text);  // the host's own JSON string escaping
    return out;
}

std::string otpdesk_config_with(const std::vector<std::pair<std::string, std::string>>& replacements) {
    std::ifstream in(BILLING_OTPDESK_CONFIG);
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    for (const auto& [from, to] : replacements) {
        // Whole lines only: "window_s = 1200" must not match inside "cancel_window_s = 1200".
        const auto at = ("\n" + config).find("\n" + from + "\n");
        if (at == std::string::npos) throw std::runtime_error("the shipped otpdesk.toml no longer says " + from);
        config.replace(at, from.size(), to);
    }
    return config;
}

Response post_until_answered(HttpClient& http, const std::string& target, const std::string& body,
                             const RequestOptions& options, std::chrono::milliseconds patience, long* retries) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    for (;;) {
        Response answer;
        try {
            answer = http.post(target, body, options);
        } catch (const Poco::Exception& e) {
            answer.method = "POST";
            answer.target = target;
            answer.body = "transport error: " + e.displayText();
        }
        if ((answer.status != 0 && answer.status != 503) || std::chrono::steady_clock::now() >= deadline) return answer;
        if (retries != nullptr) ++*retries;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

std::string activation_order(const std::string& account_id, const std::string& service, const std::string& country) {
    return R"({"account_id":)" + json_quote(account_id) + R"(,"product":"activation","attributes":{"service":)" +
           json_quote(service) + R"(,"country":)" + json_quote(country) + "}}";
}

Response OperatorApi::create_tenant(const std::string& body) {
    return http_.post("/admin/tenants", body, RequestOptions{key_, std::nullopt, ""});
}

Response OperatorApi::create_key(const std::string& tenant_id, const std::string& role) {
    return http_.post("/admin/tenants/" + tenant_id + "/keys", R"({"role":)" + json_quote(role) + "}",
                      RequestOptions{key_, std::nullopt, ""});
}

Response OperatorApi::audit() { return http_.get("/admin/audit", RequestOptions{key_, std::nullopt, ""}); }

TenantKeys OperatorApi::new_tenant(const std::string& name) { return new_tenant(name, true, ""); }

TenantKeys OperatorApi::new_tenant(const std::string& name, bool test_mode, const std::string& policy_config) {
    std::string body = R"({"name":)" + json_quote(name) + R"(,"currency":"USD","policy":"otpdesk","test_mode":)" +
                       (test_mode ? "true" : "false");
    if (!policy_config.empty()) body += R"(,"policy_config":)" + json_quote(policy_config);
    const Response created = create_tenant(body + "}");
    created.expect(201);
    TenantKeys keys;
    keys.id = created.json()["id"].str();
    keys.service = create_key(keys.id, "service").expect(201).json()["key"].str();
    keys.support = create_key(keys.id, "support").expect(201).json()["key"].str();
    keys.admin = create_key(keys.id, "admin").expect(201).json()["key"].str();
    return keys;
}

void OperatorApi::require_audit_clean() {
    const Response report = audit();
    report.expect(200);
    if (!report.json()["ok"].boolean()) throw std::runtime_error("the audit found violations: " + report.body);
}

RequestOptions TenantApi::service_options(const std::optional<std::string>& idempotency_key) const {
    return RequestOptions{keys_.service, idempotency_key, ""};
}

Response TenantApi::create_account(const std::string& external_ref) {
    return http_.post("/v1/accounts", R"({"external_ref":)" + json_quote(external_ref) + "}", service_options());
}

Response TenantApi::account(const std::string& account_id) {
    return http_.get("/v1/accounts/" + account_id, service_options());
}

Response TenantApi::transfers(const std::string& account_id) {
    return http_.get("/v1/accounts/" + account_id + "/transfers?limit=100", service_options());
}

Response TenantApi::deposit(const std::string& account_id, std::int64_t amount_minor,
                            const std::optional<std::string>& idempotency_key) {
    return http_.post("/v1/accounts/" + account_id + "/deposits",
                      R"({"amount_minor":)" + std::to_string(amount_minor) + "}", service_options(idempotency_key));
}

Response TenantApi::buy(const std::string& body, const std::optional<std::string>& idempotency_key) {
    return http_.post("/v1/orders", body, service_options(idempotency_key));
}

Response TenantApi::buy_activation(const std::string& account_id, const std::string& service,
                                   const std::string& country, const std::optional<std::string>& idempotency_key) {
    return buy(activation_order(account_id, service, country), idempotency_key);
}

Response TenantApi::buy_rental(const std::string& account_id, std::int64_t duration_hours,
                               const std::optional<std::string>& idempotency_key) {
    return buy(R"({"account_id":)" + json_quote(account_id) + R"(,"product":"rental","numbers":{"duration_hours":)" +
                   std::to_string(duration_hours) + "}}",
               idempotency_key);
}

Response TenantApi::order(const std::string& order_id) {
    return http_.get("/v1/orders/" + order_id, service_options());
}

Response TenantApi::orders(const std::string& query) {
    return http_.get("/v1/orders" + (query.empty() ? std::string() : "?" + query), service_options());
}

Response TenantApi::cancel(const std::string& order_id, const std::optional<std::string>& idempotency_key) {
    return http_.post("/v1/orders/" + order_id + "/cancel", "{}", service_options(idempotency_key));
}

Response TenantApi::message(const std::string& order_id, const std::string& service) {
    return http_.post("/v1/orders/" + order_id + "/messages", R"({"service":)" + json_quote(service) + "}",
                      service_options());
}

Response TenantApi::events(const std::string& order_id) {
    return http_.get("/v1/orders/" + order_id + "/events", service_options());
}

Response TenantApi::refund(const std::string& order_id, const std::string& body,
                           const std::optional<std::string>& idempotency_key) {
    return http_.post("/v1/orders/" + order_id + "/refunds", body, RequestOptions{keys_.support, idempotency_key, ""});
}

Response TenantApi::extend(const std::string& order_id, std::int64_t hours,
                           const std::optional<std::string>& idempotency_key) {
    return http_.post("/v1/orders/" + order_id + "/extend", R"({"hours":)" + std::to_string(hours) + "}",
                      service_options(idempotency_key));
}

Response TenantApi::open_dispute(const std::string& order_id, const std::string& body) {
    return http_.post("/v1/orders/" + order_id + "/disputes", body, service_options());
}

Response TenantApi::resolve_dispute(const std::string& dispute_id, const std::string& body,
                                    const std::optional<std::string>& idempotency_key) {
    return http_.post("/v1/disputes/" + dispute_id + "/resolve", body,
                      RequestOptions{keys_.support, idempotency_key, ""});
}

Response TenantApi::dispute(const std::string& dispute_id) {
    return http_.get("/v1/disputes/" + dispute_id, service_options());
}

Response TenantApi::disputes(const std::string& query) {
    return http_.get("/v1/disputes" + (query.empty() ? std::string() : "?" + query), service_options());
}

Response TenantApi::test_clock() { return http_.get("/v1/test-clock", service_options()); }

Response TenantApi::advance_seconds(std::int64_t seconds) {
    return http_.post("/v1/test-clock/advance", R"({"seconds":)" + std::to_string(seconds) + "}", service_options());
}

Response TenantApi::advance_to(UtcMs to_ms) {
    return http_.post("/v1/test-clock/advance", R"({"to":)" + json_quote(format_rfc3339(to_ms)) + "}",
                      service_options());
}

std::string TenantApi::new_account(std::int64_t deposit_minor, const std::string& external_ref) {
    const std::string ref = external_ref.empty() ? "customer-" + fresh_key() : external_ref;
    std::string id = create_account(ref).expect(201).json()["id"].str();
    if (deposit_minor > 0) deposit(id, deposit_minor).expect(200);
    return id;
}

std::string TenantApi::new_activation(const std::string& account_id, const std::string& service,
                                      const std::string& country) {
    return buy_activation(account_id, service, country).expect(201).json()["id"].str();
}

std::string TenantApi::new_rental(const std::string& account_id, std::int64_t duration_hours) {
    return buy_rental(account_id, duration_hours).expect(201).json()["id"].str();
}

std::int64_t TenantApi::balance(const std::string& account_id) {
    return account(account_id).expect(200).json()["balance_minor"].i64();
}

UtcMs TenantApi::created_at(const std::string& order_id) {
    return parse_rfc3339(order(order_id).expect(200).json()["created_at"].str());
}

UtcMs TenantApi::clock_now() { return parse_rfc3339(test_clock().expect(200).json()["now"].str()); }

Json TenantApi::move_clock_to(UtcMs at_ms) {
    Json answer = advance_to(at_ms).expect(200).json();
    if (parse_rfc3339(answer["now"].str()) != at_ms) {
        throw std::runtime_error("the test clock is at " + answer["now"].str() + ", not " + format_rfc3339(at_ms));
    }
    return answer;
}

}  // namespace billing::integration
