#include "billing/http/request_head.hpp"

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cctype>
#include <limits>

#include "billing/http/problem.hpp"

namespace billing::http {

namespace beast_http = boost::beast::http;

namespace {

namespace pc = problem_code;

bool is_tchar(unsigned char c) {
    // RFC 9110 §5.6.2
    return std::isalnum(c) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// RFC 9112 §3: method SP request-target SP HTTP-version CRLF, with nothing lenient: one space
// each, a token method, a target of visible bytes, the version's "HTTP" in capitals. A version of
// the right shape other than 1.0 or 1.1 is 505, anything else 400.
std::optional<HeadRefusal> check_request_line(std::string_view head) {
    const auto lf = head.find('\n');
    if (lf == std::string_view::npos || lf == 0 || head[lf - 1] != '\r') {
        return HeadRefusal{pc::bad_request_line, "the request line must end with CRLF"};
    }
    const std::string_view line = head.substr(0, lf - 1);
    const auto first_space = line.find(' ');
    const auto last_space = line.rfind(' ');
    if (first_space == std::string_view::npos || first_space == last_space) {
        return HeadRefusal{pc::bad_request_line, "the request line must be: method SP target SP HTTP/1.1"};
    }
    const std::string_view method = line.substr(0, first_space);
    const std::string_view target = line.substr(first_space + 1, last_space - first_space - 1);
    const std::string_view version = line.substr(last_space + 1);
    const bool method_ok = !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
        return is_tchar(static_cast<unsigned char>(c));
    });
    const bool target_ok = !target.empty() && std::all_of(target.begin(), target.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u != 0x7f;
    });
    if (!method_ok) return HeadRefusal{pc::bad_request_line, "the method must be a token"};
    if (!target_ok)
        return HeadRefusal{pc::bad_request_line, "the request target must be one run of visible characters"};
    const bool version_shape = version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
                               std::isdigit(static_cast<unsigned char>(version[5])) != 0 && version[6] == '.' &&
                               std::isdigit(static_cast<unsigned char>(version[7])) != 0;
    if (!version_shape) return HeadRefusal{pc::bad_request_line, "the version must be HTTP/1.1 or HTTP/1.0"};
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        return HeadRefusal{pc::http_version_not_supported, "only HTTP/1.1 and HTTP/1.0 are served"};
    }
    return std::nullopt;
}

// What Beast's grammar does not refuse but RFC 9112 §5.2 lets a server refuse: obs-fold (a field
// line that continues the previous one), which Beast would quietly join.
std::optional<HeadRefusal> check_field_lines(std::string_view head) {
    std::size_t at = head.find('\n') + 1;
    while (at < head.size()) {
        const auto lf = head.find('\n', at);
        const std::string_view line = head.substr(at, lf == std::string_view::npos ? std::string_view::npos : lf - at);
        if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            return HeadRefusal{pc::bad_header, "obsolete line folding is not accepted: send each field on one line"};
        }
        if (lf == std::string_view::npos) break;
        at = lf + 1;
    }
    return std::nullopt;
}

HeadRefusal grammar_refusal(const boost::beast::error_code& error, bool has_transfer_encoding) {
    if (error == beast_http::error::bad_method || error == beast_http::error::bad_target ||
        error == beast_http::error::bad_version) {
        return {pc::bad_request_line, "the request line is malformed"};
    }
    if (error == beast_http::error::bad_content_length) {
        // Beast refuses a Content-Length after a chunked Transfer-Encoding under this name.
        if (has_transfer_encoding) {
            return {pc::bad_transfer_encoding, "Content-Length and Transfer-Encoding may not both be sent"};
        }
        return {pc::bad_content_length, "Content-Length must be one decimal number"};
    }
    if (error == beast_http::error::bad_transfer_encoding) {
        return {pc::bad_transfer_encoding, "Transfer-Encoding must be sent once, without Content-Length"};
    }
    return {pc::bad_header, "a header field is malformed"};
}

std::size_t count_fields(const beast_http::request_header<>& header, std::string_view name) {
    return static_cast<std::size_t>(std::count_if(header.begin(), header.end(), [name](const auto& f) {
        return boost::beast::iequals(f.name_string(), boost::beast::string_view(name.data(), name.size()));
    }));
}

// The body's framing, with what Beast accepted but a server must refuse (RFC 9112 §6.1, §6.3).
std::optional<HeadRefusal> check_framing(const beast_http::request_header<>& header, RequestHead& out) {
    const std::size_t lengths = count_fields(header, "Content-Length");
    const std::size_t codings = count_fields(header, "Transfer-Encoding");
    if (lengths > 1) return HeadRefusal{pc::bad_content_length, "Content-Length may be sent once only"};
    if (codings > 1) return HeadRefusal{pc::bad_transfer_encoding, "Transfer-Encoding may be sent once only"};
    if (lengths == 1 && codings == 1) {
        return HeadRefusal{pc::bad_transfer_encoding, "Content-Length and Transfer-Encoding may not both be sent"};
    }
    if (lengths == 1) {
        const auto value = header[beast_http::field::content_length];
        const std::string_view text(value.data(), value.size());
        // One to 18 digits: a list ("18, 18") is refused rather than reconciled, and 18 digits
        // cannot overflow.
        if (text.empty() || text.size() > 18 ||
            !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return HeadRefusal{pc::bad_content_length,
                               "Content-Length must be one decimal number of at most 18 digits"};
        }
        out.framing = BodyFraming::content_length;
        out.content_length = 0;
        for (char c : text) out.content_length = out.content_length * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (codings == 1) {
        if (out.version == 10) {
            return HeadRefusal{pc::bad_transfer_encoding, "HTTP/1.0 has no Transfer-Encoding"};
        }
        const auto value = header[beast_http::field::transfer_encoding];
        const std::string coding = lower(trim(std::string_view(value.data(), value.size())));
        if (coding != "chunked") {
            std::size_t chunked_times = 0;
            for (auto at = coding.find("chunked"); at != std::string::npos; at = coding.find("chunked", at + 1)) {
                ++chunked_times;
            }
            const bool chunked_last = coding.size() >= 7 && coding.compare(coding.size() - 7, 7, "chunked") == 0;
            if (chunked_times > 1 || (chunked_times == 1 && !chunked_last)) {
                return HeadRefusal{pc::bad_transfer_encoding,
                                   "chunked must be the last transfer coding, and only once"};
            }
            return HeadRefusal{pc::transfer_coding_not_implemented, "only the chunked transfer coding is accepted"};
        }
        out.framing = BodyFraming::chunked;
    }
    return std::nullopt;
}

}  // namespace

std::string RequestHead::field(std::string_view name) const {
    const auto& header = parser->get();
    const auto found = header.find(boost::beast::string_view(name.data(), name.size()));
    return found == header.end() ? std::string() : std::string(found->value());
}

bool RequestHead::has_field(std::string_view name) const {
    const auto& header = parser->get();
    return header.find(boost::beast::string_view(name.data(), name.size())) != header.end();
}

std::size_t find_head_end(std::string_view bytes) {
    for (std::size_t lf = bytes.find('\n'); lf != std::string_view::npos; lf = bytes.find('\n', lf + 1)) {
        if (lf + 1 < bytes.size() && bytes[lf + 1] == '\n') return lf + 2;
        if (lf + 2 < bytes.size() && bytes[lf + 1] == '\r' && bytes[lf + 2] == '\n') return lf + 3;
    }
    return std::string_view::npos;
}

std::variant<RequestHead, HeadRefusal> parse_request_head(std::string_view head, const RequestHeadLimits& limits) {
    if (auto refused = check_request_line(head)) return *refused;
    if (auto refused = check_field_lines(head)) return *refused;

    RequestHead out;
    out.parser = std::make_unique<BodyParser>();
    BodyParser& parser = *out.parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(head.size() + 1, UINT32_MAX)));
    // The caller's limit applies to the body, not the head. (Not boost::none: Beast 1.74 compares
    // the declared length with the optional, and every length is greater than none.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.eager(false);
    boost::beast::error_code error;
    std::size_t used = 0;
    while (used < head.size() && !parser.is_header_done()) {
        const std::size_t n = parser.put(boost::asio::buffer(head.data() + used, head.size() - used), error);
        if (error == beast_http::error::need_more) {
            error = {};
            if (n == 0) break;
        }
        if (error) break;
        used += n;
        if (n == 0) break;
    }
    if (error) {
        const bool has_coding = lower(head).find("\ntransfer-encoding:") != std::string::npos;
        return grammar_refusal(error, has_coding);
    }
    if (!parser.is_header_done()) return HeadRefusal{pc::bad_header, "the request head is incomplete"};

    const auto& header = parser.get();
    if (static_cast<std::size_t>(std::distance(header.begin(), header.end())) > limits.header_fields_max) {
        return HeadRefusal{pc::header_too_large,
                           "more than " + std::to_string(limits.header_fields_max) + " header fields"};
    }
    out.method = std::string(header.method_string());
    out.target = std::string(header.target());
    out.version = header.version();
    if (out.version == 11 && count_fields(header, "Host") != 1) {
        return HeadRefusal{pc::missing_host, "an HTTP/1.1 request must carry exactly one Host field"};
    }
    if (auto refused = check_framing(header, out)) return *refused;
    out.keep_alive = header.keep_alive();
    const std::size_t expectations = count_fields(header, "Expect");
    if (expectations > 0) {
        const auto expect = header[beast_http::field::expect];
        if (expectations > 1 || lower(trim(std::string_view(expect.data(), expect.size()))) != "100-continue") {
            return HeadRefusal{pc::expectation_failed, "the only expectation served is 100-continue, once"};
        }
        out.expect_continue = out.version == 11;
    }
    out.authorization = out.field("Authorization");
    out.content_type = out.field("Content-Type");
    if (out.has_field("Idempotency-Key")) out.idempotency_key = out.field("Idempotency-Key");
    out.request_id = out.field("X-Request-Id");
    return out;
}

HeadRefusal body_refusal(const boost::beast::error_code& error) {
    if (error == beast_http::error::body_limit) return {pc::payload_too_large, "the body is too large"};
    return {pc::bad_chunked_body, "the chunked body is malformed"};
}

}  // namespace billing::http
