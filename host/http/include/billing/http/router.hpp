// The FIXED route table of DESIGN §7 and issue 4, and matching a request against it.
//
// Each route has a name ("orders.cancel") that is the `route` label of the metrics and the
// route_name of the log line, the roles that may call it, and whether it needs an
// Idempotency-Key. Routes of later issues (support refunds, disputes, rental extension, the
// delivery report, plugin reload) are in the table with Stage::later, so that the shape is fixed
// now; a Router serves them only when built with Stage::later, and routes() lists exactly what a
// Router serves, for the OpenAPI comparison.
//
// Matching is exact: no trailing slash, no empty segment, no percent-decoding; a {param}
// segment is 1..128 characters of [A-Za-z0-9_.-]. Anything else is 404. A path that exists with
// other methods is 405 with the Allow header's value.
#pragma once

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

enum class Stage { v1, later };  // v1: issue 4; later: the issues that add refunds, disputes, ...

struct RouteSpec {
    Method method;
    std::string_view path;  // the template, e.g. "/v1/orders/{id}/cancel"
    std::string_view name;  // e.g. "orders.cancel"
    RoleSet roles;          // empty: public
    bool idempotency_key_required = false;  // the POSTs that move money
    Stage stage = Stage::v1;
};

// Every route of every stage, in the order of DESIGN §7.
std::span<const RouteSpec> route_table();

struct PathParam {
    std::string_view name;  // "id", "name"
    std::string value;
};

enum class MatchKind { found, not_found, method_not_allowed };

struct RouteMatch {
    MatchKind kind = MatchKind::not_found;
    const RouteSpec* route = nullptr;  // when found
    std::vector<PathParam> params;     // when found, in path order
    std::string allow;                 // when method_not_allowed: "GET, POST"

    [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const;
};

class Router {
public:
    // Serves the routes of stages up to and including served_up_to.
    explicit Router(Stage served_up_to = Stage::v1);

    // target is the request target: a path, optionally followed by "?query" (ignored here).
    [[nodiscard]] RouteMatch match(std::string_view method, std::string_view target) const;

    [[nodiscard]] const std::vector<const RouteSpec*>& routes() const { return routes_; }

private:
    std::vector<const RouteSpec*> routes_;
    std::vector<std::vector<std::string_view>> patterns_;  // routes_[i]'s template, split at '/'
};

}  // namespace billing::http
