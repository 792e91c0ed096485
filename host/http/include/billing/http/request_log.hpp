// One JSON line per request, e.g.
//   {"ts":"2025-01-02T03:04:05.006Z","level":"info","method":"POST","route":"/v1/orders/{id}/cancel",
//    "status":409,"duration_ms":1.234,"tenant":"ten_1","request_id":"req_...","error":"cancel_too_early"}
// and for a 5xx answer also the cause the client is not told, e.g.
//    ...,"error":"policy_violation","cause":"policy_violation: voucher@1.0.0 on order ord_...: refund_exceeds_held:
//    ..."}
//
// What it can hold is fixed by RequestLogEntry: no header, no raw path or query, no body, so
// never an Authorization header, a key or a one-time code. The route is the template, so ids in
// the path stay out too (a 5xx's cause may name the order it failed on: that is what support
// needs to find it). Every string is written by append_json_string, so the line is valid JSON
// and UTF-8 whatever bytes a client sent. Poco 1.11 has no JSON formatter (1.14 has), hence this.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "billing/core/clock.hpp"
#include "billing/http/json_writer.hpp"  // append_json_string, which the log line writes its strings with

namespace billing::http {

inline constexpr std::string_view unmatched_route = "unmatched";

struct RequestLogEntry {
    UtcMs at_ms = 0;          // when the request arrived
    std::string_view method;  // anything but GET, POST, DELETE, PUT, PATCH, HEAD, OPTIONS is "OTHER"
    std::string_view route;   // the matched template, or unmatched_route
    int status = 0;
    std::chrono::microseconds duration{0};
    std::string_view tenant_id;  // empty: null (public routes, operator keys, 401s)
    std::string_view request_id;
    std::string_view error_code;  // the problem's code when the answer is one; empty: omitted
    std::string_view cause{};     // why a 5xx happened (log_cause); written for 5xx answers only
};

// The line, without a trailing newline. level is "error" for 5xx, "warn" for 4xx, else "info".
std::string format_request_log(const RequestLogEntry& entry);

// At most this many bytes of a cause are logged; a longer one is cut and says how much was cut.
inline constexpr std::size_t log_cause_bytes_max = 2048;

// A 5xx's cause as it may be logged: an API key in it (bk_ and what follows) is replaced by
// "bk_[redacted]", and it is cut to log_cause_bytes_max bytes.
std::string log_cause(std::string_view cause);

// The longest X-Request-Id a client may choose.
inline constexpr std::size_t request_id_chars_max = 64;

// The client's X-Request-Id when it is 1..64 characters of [A-Za-z0-9._-] and shaped like no
// secret, else a new "req_<32 hex>" id. The id is logged and echoed, so a credential pasted into
// the wrong header must not be taken. Refused as secret-shaped:
//   - anything containing "bk_" (any case): this host's API keys (bk_<tag>_<prefix>_<secret>);
//   - anything starting with "bearer" or "basic" (any case): an Authorization value;
//   - three or more non-empty dot-separated parts (xxx.yyy.zzz): a JWT or a similar signed token;
//   - a token: a run of 16 or more letters and digits (between the separators . _ -) that mixes
//     letters and digits, unless it is at most 32 hexadecimal digits (a trace id or a UUID
//     without dashes, and this host's own req_ ids, are ids, not secrets).
// So "checkout-42", a UUID and "req_<32 hex>" are kept; "bk_svc_...", "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
// "Bearer_abc" and "eyJhbGc.eyJzdWI.SflKxw" are replaced.
std::string accept_request_id(std::string_view client_value);

// Whether accept_request_id refuses value for its shape alone (its characters and length aside).
bool looks_like_secret(std::string_view value);

}  // namespace billing::http
