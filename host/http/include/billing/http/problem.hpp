// RFC 9457 problem details (application/problem+json), every error the API returns: the
// standard members type, title, status and detail, plus a stable machine-readable `code` that
// clients branch on, and optional extension members such as `available_at`.
//
// The codes the HTTP layer itself produces are in one catalogue with their statuses, so that a
// status never depends on the call site. Codes from the engine, the storage and a policy map
// through problem_for_error; 5xx problems never carry the internal message (the caller logs it).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "billing/core/clock.hpp"
#include "billing/core/result.hpp"

namespace billing::http {

inline constexpr std::string_view problem_content_type = "application/problem+json";

// The type member is this prefix followed by the code. A tag URI (RFC 4151), as RFC 9457 §3.1.1
// suggests for types that are identifiers, not documentation pages; the OpenAPI document lists
// the codes.
inline constexpr std::string_view problem_type_prefix = "tag:billing-host,2025:problem:";

namespace problem_code {
inline constexpr std::string_view malformed_json = "malformed_json";                      // 400
inline constexpr std::string_view bad_request = "bad_request";                            // 400 (headers, query)
inline constexpr std::string_view unauthorized = "unauthorized";                          // 401
inline constexpr std::string_view forbidden = "forbidden";                                // 403
inline constexpr std::string_view not_found = "not_found";                                // 404
inline constexpr std::string_view method_not_allowed = "method_not_allowed";              // 405
inline constexpr std::string_view conflict = "conflict";                                  // 409
inline constexpr std::string_view idempotency_in_flight = "idempotency_in_flight";        // 409
inline constexpr std::string_view payload_too_large = "payload_too_large";                // 413
inline constexpr std::string_view unsupported_media_type = "unsupported_media_type";      // 415
inline constexpr std::string_view validation_failed = "validation_failed";                // 422
inline constexpr std::string_view idempotency_key_required = "idempotency_key_required";  // 400
inline constexpr std::string_view idempotency_key_reused = "idempotency_key_reused";      // 422
inline constexpr std::string_view internal = "internal";                                  // 500
inline constexpr std::string_view storage_unavailable = "storage_unavailable";            // 503
inline constexpr std::string_view shutting_down = "shutting_down";                        // 503
// Answered by the HTTP transport itself, before a request reaches a route (RFC 9112 framing,
// bounded heads, slow or too many connections). Each closes the connection after the answer.
inline constexpr std::string_view bad_request_line = "bad_request_line";                                // 400
inline constexpr std::string_view bad_header = "bad_header";                                            // 400
inline constexpr std::string_view missing_host = "missing_host";                                        // 400
inline constexpr std::string_view bad_content_length = "bad_content_length";                            // 400
inline constexpr std::string_view bad_transfer_encoding = "bad_transfer_encoding";                      // 400
inline constexpr std::string_view bad_chunked_body = "bad_chunked_body";                                // 400
inline constexpr std::string_view request_timeout = "request_timeout";                                  // 408
inline constexpr std::string_view expectation_failed = "expectation_failed";                            // 417
inline constexpr std::string_view too_many_connections = "too_many_connections";                        // 429
inline constexpr std::string_view header_too_large = "header_too_large";                                // 431
inline constexpr std::string_view transfer_coding_not_implemented = "transfer_coding_not_implemented";  // 501
inline constexpr std::string_view overloaded = "overloaded";                                            // 503
inline constexpr std::string_view http_version_not_supported = "http_version_not_supported";            // 505
}  // namespace problem_code

// The codes only the HTTP transport answers, before any route is matched: they belong to the
// connection, not to an operation (the OpenAPI document lists them in its description and in
// components.x-problem-codes, not under each operation).
inline constexpr std::array<std::string_view, 13> transport_problem_codes{problem_code::bad_request_line,
                                                                          problem_code::bad_header,
                                                                          problem_code::missing_host,
                                                                          problem_code::bad_content_length,
                                                                          problem_code::bad_transfer_encoding,
                                                                          problem_code::bad_chunked_body,
                                                                          problem_code::request_timeout,
                                                                          problem_code::expectation_failed,
                                                                          problem_code::too_many_connections,
                                                                          problem_code::header_too_large,
                                                                          problem_code::transfer_coding_not_implemented,
                                                                          problem_code::overloaded,
                                                                          problem_code::http_version_not_supported};

struct ProblemKind {
    std::string_view code;
    int status = 500;
    std::string_view title;  // the same for every problem of this code (RFC 9457 §3.1.3)
};

// Every code in problem_code, with its status and title, in status order.
std::span<const ProblemKind> problem_catalogue();
const ProblemKind* find_problem_kind(std::string_view code);

using ProblemValue = std::variant<std::string, std::int64_t, bool>;

struct Problem {
    int status = 500;
    std::string code;
    std::string title;
    std::string detail;
    // The request's id (the X-Request-Id answered), written as the `request_id` member when set,
    // so that support can find the request's log line from the body alone.
    std::string request_id{};
    // Extension members, written after the standard ones in this order. Their names must not
    // be a standard member's (asserted).
    std::vector<std::pair<std::string, ProblemValue>> extra{};
};

// A problem of the catalogue; asserts that code is in it.
Problem make_problem(std::string_view code, std::string detail);

// An engine, storage, HTTP or policy Error as a problem:
// - the catalogue's codes keep their status;
// - account/order/tenant_not_found 404, insufficient_funds, duplicate_external_ref and
//   policy_mismatch 409, invalid_request -> validation_failed 422, policy_unavailable 503;
//   test_clock_unavailable 409, test_clock_out_of_range and balance_limit_exceeded 422, key_not_found and
//   cursor_not_found 404, policy_unknown and plugin_config_rejected 422;
// - storage conflict/busy/unavailable -> storage_unavailable 503; policy_failed and
//   policy_violation 500; every other storage or ledger failure -> internal 500;
// - any other well-formed code ([a-z0-9_], 1..64) is a policy's refusal of a request: 422 with
//   the policy's code and message;
// 5xx problems get a fixed detail, never the error's message.
Problem problem_for_error(const Error& error);

// A policy's denial of an event (cancel too early, a delivered activation): 409 with the
// policy's code and message, and available_at (RFC 3339) when the policy says when it becomes
// possible.
Problem policy_denial(std::string code, std::string message, std::optional<UtcMs> available_at);

// "tag:billing-host,2025:problem:" + code
std::string problem_type_uri(std::string_view code);

// The JSON body: {"type","title","status","detail","code","request_id"?, extra...}, compact, in that
// order; valid JSON and UTF-8 whatever bytes its strings hold (append_json_string).
std::string problem_body(const Problem& problem);

// A body problem_body wrote, read back (a stored answer replayed with another request_id);
// nullopt for anything else: not a JSON object, a standard member missing or of another type, an
// extension member that is not a string, an integer or a boolean. The type member is not kept:
// it follows from the code.
std::optional<Problem> parse_problem_body(std::string_view body);

}  // namespace billing::http
