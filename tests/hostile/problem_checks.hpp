// What every error answer must be (RFC 9457 problem+json, as the API and the transport promise),
// as gtest assertions that explain what was wrong:
// - is_problem: a well-formed status line `HTTP/1.1 <status> <standard reason>`,
//   Content-Type application/problem+json, a body that is UTF-8 and parses with Poco::JSON into
//   an object with type, title, status (== the status line's), detail, code and request_id,
//   and an X-Request-Id header equal to request_id;
// - is_transport_error: is_problem, plus `Connection: close`, and the server closes the
//   connection after it with nothing more sent.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "raw_client.hpp"

namespace billing::hostile {

// A problem of exactly this status and code.
::testing::AssertionResult is_problem(const RawResponse& answer, int status, std::string_view code);
// Any 4xx problem (for inputs where more than one refusal is right, e.g. a non-UTF-8 path that
// a transport may refuse as a bad request line or pass on to be a 404).
::testing::AssertionResult is_client_error_problem(const RawResponse& answer);
// is_problem, then Connection: close and the connection closed by the server.
::testing::AssertionResult is_transport_error(RawConnection& connection, const RawResponse& answer, int status,
                                              std::string_view code);

// How long a read waits for an answer the server should give at once: a liveness bound on a
// loaded 2-core machine, not a performance figure.
inline constexpr milliseconds answer_timeout{5000};

}  // namespace billing::hostile
