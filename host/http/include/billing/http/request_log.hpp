// One JSON line per request (issue 4), e.g.
//   {"ts":"2025-01-02T03:04:05.006Z","level":"info","method":"POST","route":"/v1/orders/{id}/cancel",
//    "status":409,"duration_ms":1.234,"tenant":"ten_1","request_id":"req_...","error":"cancel_too_early"}
//
// What it can hold is fixed by RequestLogEntry: no header, no raw path or query, no body, so
// never an Authorization header, a key or a one-time code. The route is the template, so ids in
// the path stay out too. Poco 1.11 has no JSON formatter (1.14 has), hence this.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "billing/core/clock.hpp"

namespace billing::http {

inline constexpr std::string_view unmatched_route = "unmatched";

struct RequestLogEntry {
    UtcMs at_ms = 0;                // when the request arrived
    std::string_view method;        // anything but GET, POST, DELETE, PUT, PATCH, HEAD, OPTIONS is "OTHER"
    std::string_view route;         // the matched template, or unmatched_route
    int status = 0;
    std::chrono::microseconds duration{0};
    std::string_view tenant_id;     // empty: null (public routes, operator keys, 401s)
    std::string_view request_id;
    std::string_view error_code;    // the problem's code when the answer is one; empty: omitted
};

// The line, without a trailing newline. level is "error" for 5xx, "warn" for 4xx, else "info".
std::string format_request_log(const RequestLogEntry& entry);

// The client's X-Request-Id when it is 1..64 characters of [A-Za-z0-9._-] and does not start
// with "bk_" (an API key pasted in the wrong header must not reach the log), else a new
// "req_<32 hex>" id.
std::string accept_request_id(std::string_view client_value);

// s as a JSON string with its quotes: ", \ and control characters escaped (\u00XX, or \n etc.).
void append_json_string(std::string& out, std::string_view s);

}  // namespace billing::http
