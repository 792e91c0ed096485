// The HTTP API (DESIGN §6-§7), independent of the HTTP server that carries it: one
// ApiRequest in, one ApiResponse out, never an exception. host/server's HttpServer adapts Poco's
// requests to this; tests may call it directly.
//
// Every request goes through one pipeline (see handle()): request id, route match (404/405),
// authentication (401) and role (403), the tenant from the key, the body read bounded (413) and
// parsed strictly (400/415/422), the Idempotency-Key rules, the route's handler, then one
// metrics observation and one log line.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "billing/core/clock.hpp"
#include "billing/engine/engine.hpp"
#include "billing/engine/sweeper.hpp"
#include "billing/http/host_metrics.hpp"
#include "billing/http/metrics.hpp"
#include "billing/http/request_log.hpp"
#include "billing/http/router.hpp"
#include "billing/server/key_store.hpp"
#include "billing/server/policy_registry.hpp"
#include "billing/server/tenant_directory.hpp"

namespace billing::server {

struct ApiRequest {
    std::string method;
    std::string target;  // path and query as received
    std::string authorization;
    std::string content_type;
    std::optional<std::string> idempotency_key;
    std::string request_id;  // the client's X-Request-Id, if any
    std::istream* body = nullptr;
    std::int64_t content_length = -1;  // -1: not declared (chunked)
};

struct ApiResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// Everything the API works with, owned by the host (host.hpp).
struct ApiServices {
    storage::Database& db;
    Engine& engine;
    Sweeper& sweeper;
    KeyStore& keys;
    PolicyRegistry& policies;
    TenantDirectory& tenants;
    http::MetricsRegistry& metrics_registry;
    http::HostMetrics& metrics;
    const Clock& clock;
};

struct ApiOptions {
    std::size_t body_bytes_max = 64 * 1024;
    std::int64_t timer_lease_s = 30;
    // Where each request's log entry goes (the host formats and filters it); empty: nowhere.
    std::function<void(const http::RequestLogEntry& entry)> log;
};

class Api {
public:
    Api(ApiServices services, ApiOptions options);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    ApiResponse handle(const ApiRequest& request);

    // An answer the HTTP transport gives by itself, before any route (a malformed or oversized
    // head, a body too slow, too many connections): the catalogue's problem for code with a new
    // request id, counted and logged like every request. Never throws.
    ApiResponse transport_problem(std::string_view code, std::string detail);

    // Shutting down: /readyz answers 503 from now on; requests are still served.
    void set_draining() { draining_ = true; }

    // The OpenAPI document served at /openapi.json.
    static const std::string& openapi_document();

    struct Call;  // one request on its way through the pipeline (api_call.hpp)

private:
    ApiResponse run(const ApiRequest& request, Call& call);
    ApiResponse dispatch(Call& call);

    ApiServices s_;
    ApiOptions options_;
    http::Router router_;  // over api_routes(): a match's index is its route's place there
    std::atomic<bool> draining_{false};

    // Idempotency-Keys being served now, as "tenant\nkey": a second request with the same key
    // while the first runs gets 409 idempotency_in_flight instead of waiting on its lock.
    std::mutex in_flight_mutex_;
    std::set<std::string> in_flight_;
    friend class InFlightKey;
};

}  // namespace billing::server
