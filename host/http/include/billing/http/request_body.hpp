// Getting a request's body in, bounded: Poco 1.11 has no body-size limit, so the body is read
// through this, never with an unbounded copy. Both refusals are Errors with catalogue codes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include "billing/core/result.hpp"

namespace billing::http {

// unsupported_media_type (415) unless the Content-Type is application/json, in any case, with
// no parameter or only charset=utf-8 (RFC 8259 §8.1: JSON is UTF-8).
Result<Unit> check_json_content_type(std::string_view content_type);

// Reads the body; payload_too_large (413) when declared_length (Poco's getContentLength(): -1
// when unknown, as with chunked encoding) or the bytes actually sent exceed body_bytes_max.
// Reads at most body_bytes_max + 1 bytes whatever the client declares or sends.
Result<std::string> read_bounded_body(std::istream& in, std::int64_t declared_length, std::size_t body_bytes_max);

}  // namespace billing::http
