// The API's routes, each written down once (api_routes.cpp): method, path, name, roles,
// Idempotency-Key rule, query parameters and handler. The Api's router is built from this list,
// and the OpenAPI test holds host/server/openapi.json to it.
#pragma once

#include <span>

#include "billing/http/router.hpp"
#include "billing/server/api.hpp"

namespace billing::server {

struct ApiRoute : http::RouteSpec {
    ApiResponse (*handler)(Api::Call& call);
};

// Every route the host serves, in the order of DESIGN §7.
std::span<const ApiRoute> api_routes();

}  // namespace billing::server
