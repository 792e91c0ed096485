// A route's description as the HTTP layer sees it, and matching a request against a list of them.
//
// The API's routes are written down once, with their handlers, in host/server (api_routes.cpp);
// a Router is built from that list. Each route has a name ("orders.cancel") that is the `route`
// label of the metrics and the operationId of the OpenAPI document, the roles that may call it,
// what the pipeline does with an Idempotency-Key, and the query parameters it reads.
//
// Matching is exact: no trailing slash, no empty segment, no percent-decoding; a {param}
// segment is 1..128 characters of [A-Za-z0-9_.-]. Anything else is 404. A path that exists with
// other methods is 405 with the Allow header's value.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "billing/http/roles.hpp"

namespace billing::http {

enum class Method { get, post, del };

// Exact, case-sensitive (RFC 9110 §9.1): "GET", "POST", "DELETE"; anything else is nullopt.
std::optional<Method> parse_method(std::string_view name);
std::string_view method_name(Method method);

// What the pipeline does with a request's Idempotency-Key header (one that is empty or longer
// than 255 characters is refused everywhere).
enum class Idempotency {
    ignored,   // nothing is stored or replayed
    optional,  // with a key, the answer is stored and replayed; without one, the request just runs
    required,  // no key is 400 idempotency_key_required: the POSTs that move money
};

struct RouteSpec {
    Method method;
    std::string_view path;  // the template, e.g. "/v1/orders/{id}/cancel"
    std::string_view name;  // e.g. "orders.cancel"
    RoleSet roles;          // empty: public
    Idempotency idempotency = Idempotency::ignored;
    // The query parameters the route reads; the pipeline refuses any other with 400.
    std::span<const std::string_view> query{};
};

struct PathParam {
    std::string_view name;  // "id", "name"
    std::string value;
};

enum class MatchKind { found, not_found, method_not_allowed };

struct RouteMatch {
    MatchKind kind = MatchKind::not_found;
    const RouteSpec* route = nullptr;  // when found
    std::size_t index = 0;             // when found: route's position in the Router's list
    std::vector<PathParam> params;     // when found, in path order
    std::string allow;                 // when method_not_allowed: "GET, POST"

    [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const;
};

class Router {
public:
    // Serves every route of routes, a range of RouteSpec or of types derived from it, which must
    // outlive the Router.
    template <class Routes>
    explicit Router(const Routes& routes) {
        for (const RouteSpec& route : routes) add(route);
    }

    // target is the request target: a path, optionally followed by "?query" (ignored here).
    [[nodiscard]] RouteMatch match(std::string_view method, std::string_view target) const;

    [[nodiscard]] const std::vector<const RouteSpec*>& routes() const { return routes_; }

private:
    void add(const RouteSpec& route);

    std::vector<const RouteSpec*> routes_;
    std::vector<std::vector<std::string_view>> patterns_;  // routes_[i]'s template, split at '/'
};

}  // namespace billing::http
