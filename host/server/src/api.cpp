// The API's pipeline: every request, whatever its route, goes through Api::handle.
#include "billing/server/api.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <string_view>

#include "api_call.hpp"
#include "billing/http/query_string.hpp"
#include "billing/http/request_body.hpp"
#include "billing/http/request_log.hpp"
#include "billing/server/api_routes.hpp"
#include "billing/storage/engine_errors.hpp"

namespace billing::server {

namespace {

// Refuses a query parameter the route does not read: a typo in a filter must not silently list
// everything.
Result<Unit> check_query(const http::RouteSpec& route, const std::map<std::string, std::string>& query) {
    for (const auto& [name, value] : query) {
        if (std::find(route.query.begin(), route.query.end(), name) == route.query.end()) {
            return Error{std::string(http::problem_code::bad_request), "unknown query parameter " + name};
        }
    }
    return Unit{};
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// SHA-256 hex of "METHOD PATH\nBODY".
std::string hash_of_request(const Call& call, std::string_view body) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(call.request.method);
    engine.update(" ");
    const std::string_view path = path_of(call.request.target);
    engine.update(path.data(), static_cast<unsigned>(path.size()));
    engine.update("\n");
    engine.update(body.data(), static_cast<unsigned>(body.size()));
    return Poco::DigestEngine::digestToHex(engine.digest());
}

// An idempotency key held while its request runs; see Api::in_flight_.
}  // namespace

class InFlightKey {
public:
    InFlightKey(Api& api, std::string id) : api_(api), id_(std::move(id)) {
        std::lock_guard lock(api_.in_flight_mutex_);
        held_ = api_.in_flight_.insert(id_).second;
    }
    ~InFlightKey() {
        if (!held_) return;
        std::lock_guard lock(api_.in_flight_mutex_);
        api_.in_flight_.erase(id_);
    }
    InFlightKey(const InFlightKey&) = delete;
    InFlightKey& operator=(const InFlightKey&) = delete;
    [[nodiscard]] bool held() const { return held_; }

private:
    Api& api_;
    std::string id_;
    bool held_ = false;
};

Api::Api(ApiServices services, ApiOptions options)
    : s_(services), options_(std::move(options)), router_(api_routes()) {}

Api::~Api() = default;

ApiResponse Api::handle(const ApiRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    const UtcMs arrived_ms = s_.clock.now_ms();
    Call call{
        .s = s_, .options = options_, .request = request, .request_id = http::accept_request_id(request.request_id)};
    ApiResponse response;
    try {
        response = run(request, call);
    } catch (const Poco::Exception& e) {
        // Poco's what() is the class's name only; displayText() has the message.
        call.cause = "uncaught exception: " + e.displayText();
        response = api::problem(call, http::make_problem(http::problem_code::internal, ""));
    } catch (const std::exception& e) {
        call.cause = std::string("uncaught exception: ") + e.what();
        response = api::problem(call, http::make_problem(http::problem_code::internal, ""));
    } catch (...) {
        call.cause = "uncaught exception of a type that is not std::exception";
        response = api::problem(call, http::make_problem(http::problem_code::internal, ""));
    }
    response.headers.emplace_back("X-Request-Id", call.request_id);
    if (response.status == 401) {
        // RFC 9110 §11.6.1: a 401 names the scheme it wants (RFC 6750 §3: Bearer).
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"billing-host\"");
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    const http::RouteSpec* route = call.match.kind == http::MatchKind::found ? call.match.route : nullptr;
    s_.metrics.request(route ? route->name : http::unmatched_route, response.status,
                       static_cast<double>(elapsed.count()) / 1e6);
    if (options_.log) {
        const std::string tenant_id = call.caller ? call.caller->tenant_id : std::string();
        const std::string cause = response.status >= 500 ? http::log_cause(call.cause) : std::string();
        options_.log({.at_ms = arrived_ms,
                      .method = request.method,
                      .route = route ? route->path : http::unmatched_route,
                      .status = response.status,
                      .duration = elapsed,
                      .tenant_id = tenant_id,
                      .request_id = call.request_id,
                      .error_code = call.error_code,
                      .cause = cause});
    }
    return response;
}

ApiResponse Api::run(const ApiRequest& request, Call& call) {
    call.match = router_.match(request.method, request.target);
    if (call.match.kind == http::MatchKind::not_found) {
        return api::problem(call, http::make_problem(http::problem_code::not_found, "no route for this path"));
    }
    if (call.match.kind == http::MatchKind::method_not_allowed) {
        ApiResponse r = api::problem(
            call, http::make_problem(http::problem_code::method_not_allowed, "allowed: " + call.match.allow));
        r.headers.emplace_back("Allow", call.match.allow);
        return r;
    }
    const http::RouteSpec& route = *call.match.route;
    auto query = http::parse_query(request.target);
    if (!query) return api::error(call, query.error());
    if (auto known = check_query(route, query.value()); !known) return api::error(call, known.error());
    call.query = std::move(query).value();

    if (!route.roles.is_public()) {
        std::optional<Error> lookup_failure;
        auto caller = http::authenticate(request.authorization, [&](std::string_view prefix) {
            auto found = s_.keys.lookup(prefix);
            if (!found) {
                lookup_failure = found.error();
                return std::optional<http::StoredApiKey>{};
            }
            return found.value();
        });
        if (lookup_failure) return api::error(call, *lookup_failure);
        if (!caller) return api::error(call, caller.error());
        call.caller = std::move(caller).value();
        if (auto allowed = http::authorize(route, call.caller); !allowed) return api::error(call, allowed.error());
        if (!call.caller->tenant_id.empty()) {
            auto tenant = s_.tenants.get(call.caller->tenant_id);
            if (!tenant) return api::error(call, tenant.error());
            call.tenant = std::move(tenant).value();
        }
    }

    if (route.method == http::Method::post) {
        if (auto typed = http::check_json_content_type(request.content_type); !typed) {
            return api::error(call, typed.error());
        }
        if (request.body != nullptr) {
            auto body = http::read_bounded_body(*request.body, request.content_length, options_.body_bytes_max);
            if (!body) return api::error(call, body.error());
            call.body = std::move(body).value();
        }
    }

    if (request.idempotency_key && (request.idempotency_key->empty() || request.idempotency_key->size() > 255)) {
        return api::problem(
            call, http::make_problem(http::problem_code::bad_request, "an Idempotency-Key is 1 to 255 characters"));
    }
    const bool keyed = request.idempotency_key.has_value() && route.idempotency != http::Idempotency::ignored;
    if (route.idempotency == http::Idempotency::required && !keyed) {
        return api::problem(call, http::make_problem(http::problem_code::idempotency_key_required,
                                                     "this request moves money: send an Idempotency-Key header"));
    }
    if (keyed && call.tenant) {
        const std::string& key = *request.idempotency_key;
        InFlightKey held(*this, call.tenant->id + "\n" + key);
        if (!held.held()) {
            return api::problem(call, http::make_problem(http::problem_code::idempotency_in_flight,
                                                         "a request with this Idempotency-Key is still running"));
        }
        return dispatch(call);
    }
    return dispatch(call);
}

ApiResponse Api::dispatch(Call& call) {
    const auto handler = api_routes()[call.match.index].handler;  // router_ is built from api_routes()
    call.draining = draining_.load();
    if (call.tenant) {
        // One version of the tenant's policy for the whole request (DESIGN §3), taken before any
        // transaction opens.
        call.policy = s_.policies.instance(call.tenant->policy_name, call.tenant->policy_config);
    }
    return handler(call);
}

namespace api {

ApiResponse json(int status, std::string body) {
    ApiResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

ApiResponse problem(Call& call, const http::Problem& p) {
    call.error_code = p.code;
    // A 5xx made here rather than from an Error (shutting_down, a caught exception) is logged
    // with its own code and detail unless the caller set a cause.
    if (p.status >= 500 && call.cause.empty()) call.cause = p.code + ": " + p.detail;
    ApiResponse r;
    r.status = p.status;
    r.content_type = std::string(http::problem_content_type);
    http::Problem with_id = p;
    with_id.request_id = call.request_id;
    r.body = http::problem_body(with_id);
    return r;
}

ApiResponse error(Call& call, const Error& e) {
    http::Problem p = http::problem_for_error(e);
    // The client gets a fixed detail for a 5xx; the log gets what really happened.
    if (p.status >= 500) call.cause = e.code + ": " + e.message;
    return problem(call, p);
}

Result<const plugin::PolicyInstance*> tenant_policy(const Call& call) {
    if (!call.policy) return Error{engine_error::policy_unavailable, "no policy serves this tenant now"};
    return call.policy.get();
}

ActionPreview cancel_preview(const Call& call, const OrderRecord& order, UtcMs now_ms) {
    if (!call.policy) return ActionPreview{false, engine_error::policy_unavailable, "", std::nullopt};
    return Engine::cancel_preview(*call.policy, order, now_ms);
}

IdempotencyResponse stored(const ApiResponse& response) { return IdempotencyResponse{response.status, response.body}; }

ApiResponse replay(Call& call, const IdempotencyResponse& stored, bool replayed) {
    ApiResponse r;
    r.status = stored.status_code;
    r.body = stored.body;
    if (r.status >= 400) {
        r.content_type = std::string(http::problem_content_type);
        if (std::optional<http::Problem> problem = http::parse_problem_body(stored.body)) {
            call.error_code = problem->code;
            problem->request_id = call.request_id;
            r.body = http::problem_body(*problem);
        } else {
            call.error_code.clear();  // only the log misses it; the client gets the stored body
        }
    }
    if (replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
    return r;
}

const std::string& path_param(const Call& call, std::string_view name) {
    for (const http::PathParam& p : call.match.params) {
        if (p.name == name) return p.value;
    }
    static const std::string none;
    return none;
}

std::optional<std::string> query_value(const Call& call, const std::string& name) {
    auto found = call.query.find(name);
    if (found == call.query.end()) return std::nullopt;
    return found->second;
}

Result<std::size_t> page_limit(const Call& call) {
    auto text = query_value(call, "limit");
    if (!text) return page_limit_default;
    std::size_t value = 0;
    bool ok = !text->empty() && text->size() <= 3;
    for (char c : *text) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    if (!ok || value < 1 || value > page_limit_max) {
        return Error{std::string(http::problem_code::bad_request), "limit is an integer from 1 to 100"};
    }
    return value;
}

Result<http::JsonObject> body_object(const Call& call, std::initializer_list<std::string_view> known_fields) {
    http::JsonLimits limits;
    limits.body_bytes_max = call.options.body_bytes_max;
    return http::parse_json_object(call.body, limits, known_fields);
}

Result<UtcMs> tenant_now(Call& call) { return call.s.tenants.now_ms(*call.tenant); }

std::string request_hash(const Call& call) {
    // Every keyed route reads its body before it hashes it, so a body that is not JSON never
    // gets here; were one to, its bytes are its form.
    const std::optional<std::string> canonical = http::canonical_json(call.body, http::JsonLimits{}.depth_max);
    return hash_of_request(call, canonical ? *canonical : call.body);
}

std::string raw_request_hash(const Call& call) { return hash_of_request(call, call.body); }

Error invalid(std::string message) {
    return Error{std::string(http::problem_code::validation_failed), std::move(message)};
}

bool is_code_name(std::string_view text) {
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

}  // namespace api

}  // namespace billing::server
