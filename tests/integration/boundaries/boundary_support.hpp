// What the boundary tests share: the problem+json check every error answer must pass, a raw
// request for what the harness's client deliberately cannot send (other Content-Types, other
// Authorization schemes, chunked or oversized bodies, PUT/PATCH), the route table made concrete,
// and a snapshot of everything a tenant can read, to prove that a refused request changed nothing.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "billing/http/router.hpp"
#include "billing/server/api_routes.hpp"
#include "support/billing_api.hpp"
#include "support/http_client.hpp"

namespace billing::integration::boundaries {

// RFC 9457 as DESIGN §7 has it: Content-Type application/problem+json, and an object with type
// (the tag URI of the code), title, status (the HTTP status), detail and code.
::testing::AssertionResult is_problem(const Response& response, int status, const std::string& code);

// A request exactly as written, on a socket of its own (so that a host closing it after a refused
// body disturbs no other request): the only headers sent are Host, Connection: close, these (no
// Content-Type unless given), and Content-Length or Transfer-Encoding: chunked for a body.
struct RawRequest {
    std::string method = "GET";
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<std::string> body;
    bool chunked = false;
    bool declare_length = true;  // false: a body (possibly empty) with neither Content-Length nor chunked
    long timeout_s = 60;         // for each send and receive
};

// Throws std::runtime_error when no answer comes (refused, reset before any answer, timeout).

Response send_raw(std::uint16_t port, const RawRequest& request);

// The routes the host serves, as the route table (billing::server::api_routes()) lists them.
std::vector<const http::RouteSpec*> served_routes();

// The template with every {param} replaced by value: "/v1/orders/{id}/cancel" -> "/v1/orders/X/cancel".
std::string concrete_path(const http::RouteSpec& route, const std::string& value);

// "POST /v1/orders/{id}/cancel", for failure messages.
std::string route_label(const http::RouteSpec& route);

// A tenant's data as a test builds it up.
struct TenantData {
    std::vector<std::string> accounts;
    std::vector<std::string> external_refs;
    std::vector<std::string> orders;
    std::vector<std::string> transfers;
    std::vector<std::string> disputes;
};

// Everything the tenant's service key can read about data: each account and its transfers,
// each order and its events, each dispute, and the lists, as the host answers them (the tenant's test clock
// does not move by itself, so two snapshots with nothing done between them are identical).
std::string snapshot(TenantApi& tenant, const TenantData& data);

// The first of needles found in haystack, or "" (for "no other tenant's data in this body").
std::string first_found(const std::string& haystack, const std::vector<std::string>& needles);

// n copies of c.
std::string repeat(char c, std::size_t n);

}  // namespace billing::integration::boundaries
