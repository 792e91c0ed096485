// The billing API as the tests call it: the operator's calls (tenants, keys, audit) and one
// tenant's calls (accounts, deposits, orders, cancel, messages, the test clock), each one HTTP
// request on a caller's HttpClient.
//
// Calls named after the request (deposit, buy_activation, cancel, ...) return the Response and
// assert nothing, so a test can check any status. Calls named new_* return what they created and
// throw std::runtime_error (the response described) when the host does not answer as expected.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/http_client.hpp"
#include "support/rfc3339.hpp"

namespace billing::integration {

// A fresh Idempotency-Key, unique in this process and across processes ("it-<pid>-<n>-<random>").
std::string fresh_key();

// text as a JSON string literal (quotes included).
std::string json_quote(const std::string& text);

// The body of POST /v1/orders for an activation.
std::string activation_order(const std::string& account_id, const std::string& service = "telegram",
                             const std::string& country = "us");

// The shipped config/otpdesk.toml with each `from` line text replaced by its `to` (e.g.
// {"cancel_from_s = 120", "cancel_from_s = 0"}); throws when the file no longer says `from`.
std::string otpdesk_config_with(const std::vector<std::pair<std::string, std::string>>& replacements);

// A POST sent again with the same Idempotency-Key (options.idempotency_key) while the host
// cannot answer it: a transport error, or 503 (its database away, or shutting down). Returns
// the first other answer, or after `patience` the last one (status 0 for a transport error,
// the error in body). `retries` counts the resends.
Response post_until_answered(HttpClient& http, const std::string& target, const std::string& body,
                             const RequestOptions& options, std::chrono::milliseconds patience,
                             long* retries = nullptr);

struct TenantKeys {
    std::string id;
    std::string service;
    std::string support;
    std::string admin;
};

// The host operator's calls.
class OperatorApi {
public:
    OperatorApi(HttpClient& http, std::string operator_key) : http_(http), key_(std::move(operator_key)) {}

    Response create_tenant(const std::string& body);
    Response create_key(const std::string& tenant_id, const std::string& role);
    Response audit();

    // A test-mode OTPDesk tenant in USD with one key of each role.
    TenantKeys new_tenant(const std::string& name = "integration test tenant");
    // An OTPDesk tenant in USD with one key of each role: live (test_mode false: the sweepers
    // run its timers on the real clock) or not, on the host's OTPDesk config or its own
    // (policy_config, a TOML document; "" for none).
    TenantKeys new_tenant(const std::string& name, bool test_mode, const std::string& policy_config);
    // Expects GET /admin/audit to be 200 with ok true; throws with the violations otherwise.
    void require_audit_clean();

private:
    HttpClient& http_;
    std::string key_;
};

// One tenant's calls, with its service key unless a call says otherwise.
class TenantApi {
public:
    TenantApi(HttpClient& http, TenantKeys keys) : http_(http), keys_(std::move(keys)) {}

    [[nodiscard]] const TenantKeys& keys() const { return keys_; }
    [[nodiscard]] HttpClient& http() { return http_; }

    Response create_account(const std::string& external_ref);
    Response account(const std::string& account_id);
    Response transfers(const std::string& account_id);
    Response deposit(const std::string& account_id, std::int64_t amount_minor,
                     const std::optional<std::string>& idempotency_key = fresh_key());

    // POST /v1/orders with body as it is.
    Response buy(const std::string& body, const std::optional<std::string>& idempotency_key = fresh_key());
    Response buy_activation(const std::string& account_id, const std::string& service = "telegram",
                            const std::string& country = "us",
                            const std::optional<std::string>& idempotency_key = fresh_key());
    Response buy_rental(const std::string& account_id, std::int64_t duration_hours,
                        const std::optional<std::string>& idempotency_key = fresh_key());
    Response order(const std::string& order_id);
    Response orders(const std::string& query = "");  // GET /v1/orders?query
    Response cancel(const std::string& order_id, const std::optional<std::string>& idempotency_key = fresh_key());
    Response message(const std::string& order_id, const std::string& service);
    Response events(const std::string& order_id);

    // A support refund and a dispute's resolution with the support key; opening a
    // dispute and an extension with the service key (body as it is).
    Response refund(const std::string& order_id, const std::string& body,
                    const std::optional<std::string>& idempotency_key = fresh_key());
    Response extend(const std::string& order_id, std::int64_t hours,
                    const std::optional<std::string>& idempotency_key = fresh_key());
    Response open_dispute(const std::string& order_id, const std::string& body);
    Response resolve_dispute(const std::string& dispute_id, const std::string& body,
                             const std::optional<std::string>& idempotency_key = fresh_key());
    Response dispute(const std::string& dispute_id);
    Response disputes(const std::string& query = "");  // GET /v1/disputes?query

    Response test_clock();
    Response advance_seconds(std::int64_t seconds);
    Response advance_to(UtcMs to_ms);

    // A customer account holding deposit_minor (0: no deposit).
    std::string new_account(std::int64_t deposit_minor = 0, const std::string& external_ref = "");
    // The id of a new order (expects 201).
    std::string new_activation(const std::string& account_id, const std::string& service = "telegram",
                               const std::string& country = "us");
    std::string new_rental(const std::string& account_id, std::int64_t duration_hours = 24);
    [[nodiscard]] std::int64_t balance(const std::string& account_id);
    // The order's created_at: the test clock's time at the purchase.
    [[nodiscard]] UtcMs created_at(const std::string& order_id);
    [[nodiscard]] UtcMs clock_now();
    // Advances the test clock to exactly at_ms; expects 200 and returns the answer (the timers run).
    Json move_clock_to(UtcMs at_ms);

private:
    RequestOptions service_options(const std::optional<std::string>& idempotency_key = std::nullopt) const;

    HttpClient& http_;
    TenantKeys keys_;
};

}  // namespace billing::integration
