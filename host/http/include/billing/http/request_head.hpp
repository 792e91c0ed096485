// A request head (request line and header fields, RFC 9112 §2-§6) read strictly, before anything
// of the request is acted on. The transport hands it the bytes up to and including the blank
// line; it answers either what the request is (method, target, how its body is framed) or the
// refusal the transport sends back, with its problem code, before closing the connection.
//
// Boost.Beast's parser does the grammar; on top of it this adds what Beast accepts but RFC 9112
// tells a server to refuse because it is how requests get smuggled past proxies: a Content-Length
// given twice or as a list ("18, 18"), Transfer-Encoding beside Content-Length or in HTTP/1.0,
// a transfer coding other than chunked, obs-fold continuation lines, a missing or repeated Host,
// and versions other than 1.0 and 1.1 (505 rather than Beast's generic "bad version").
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace billing::http {

struct RequestHeadLimits {
    std::size_t header_fields_max = 100;
};

using BodyParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// How the body of an accepted head arrives.
enum class BodyFraming {
    none,            // no Content-Length, no Transfer-Encoding (RFC 9112 §6.3: no body)
    content_length,  // exactly content_length bytes follow
    chunked,         // chunked coding: feed what follows to `parser` until it is done
};

struct RequestHead {
    std::string method;
    std::string target;
    unsigned version = 11;  // 10 or 11
    BodyFraming framing = BodyFraming::none;
    std::uint64_t content_length = 0;
    bool expect_continue = false;  // Expect: 100-continue, in HTTP/1.1 (1.0 ignores it: RFC 9110 §10.1.1)
    bool keep_alive = true;        // per the version and Connection (RFC 9112 §9.3)
    // The fields the API reads, as the head gave them (taken before any body is read, so that a
    // chunked body's trailer can never supply or replace one).
    std::string authorization;
    std::string content_type;
    std::optional<std::string> idempotency_key;
    std::string request_id;  // X-Request-Id
    // The parser the head went through, ready for a chunked body (its body limit is unset: the
    // caller sets its own).
    std::unique_ptr<BodyParser> parser;

    // A field's value (the first, if repeated), or empty.
    [[nodiscard]] std::string field(std::string_view name) const;
    [[nodiscard]] bool has_field(std::string_view name) const;
};

struct HeadRefusal {
    std::string_view code;  // a problem_code
    std::string detail;     // plain ASCII; never echoes the client's bytes
};

// Where the head in buffered bytes ends: the index just past its empty line, or npos if the empty
// line has not arrived. A bare LF ends a line here too, so that a client using them is refused at
// once (parse_request_head refuses it) rather than left waiting for a CRLF it will never send.
std::size_t find_head_end(std::string_view bytes);

// head: the bytes from the start of the request up to and including its empty line.
// Returns the head, or the refusal to answer. Never throws.
std::variant<RequestHead, HeadRefusal> parse_request_head(std::string_view head, const RequestHeadLimits& limits);

// The problem code for a failure of Beast's parser while it reads a chunked body.
HeadRefusal body_refusal(const boost::beast::error_code& error);

}  // namespace billing::http
