// Request heads as the transport reads them: arbitrary bytes, the head cut where find_head_end
// says, parse_request_head on it, and for an accepted chunked head the bytes after it fed to the
// head's own parser as the body. Beyond not crashing or throwing: the head ends at the first empty
// line; a refusal carries a catalogue code and a detail of plain ASCII; an accepted head is one
// Beast's parser alone reads the same way (method, target, version), with a version of 1.0 or
// 1.1, one Host in 1.1, chunked only in 1.1, and a Content-Length of digits that is its length.
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <variant>

#include "billing/http/problem.hpp"
#include "billing/http/request_head.hpp"
#include "fuzz_check.hpp"

namespace {

namespace beast_http = boost::beast::http;
using namespace billing::http;

bool plain_ascii(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

void check_refusal(const HeadRefusal& refusal) {
    const ProblemKind* kind = find_problem_kind(refusal.code);
    FUZZ_CHECK(kind != nullptr, "refused with " + std::string(refusal.code) + ", which is not in the catalogue");
    FUZZ_CHECK(kind->status >= 400 && kind->status <= 505, std::string(refusal.code));
    FUZZ_CHECK(plain_ascii(refusal.detail), "detail \"" + refusal.detail + "\"");
}

// Beast's parser on its own, as the design first had it: header limit 8 KiB, not eager, put()
// until the header is done or it fails. No body limit: the head's size is what is compared (Beast's
// default of 1 MiB refuses a larger Content-Length with the head).
struct BeastAlone {
    bool header_done = false;
    std::string method;
    std::string target;
    unsigned version = 0;
};

BeastAlone beast_alone(std::string_view head) {
    beast_http::request_parser<beast_http::empty_body> parser;
    parser.header_limit(8192);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.eager(false);
    boost::beast::error_code error;
    std::size_t used = 0;
    while (used < head.size() && !parser.is_header_done()) {
        const std::size_t n = parser.put(boost::asio::buffer(head.data() + used, head.size() - used), error);
        if (error == beast_http::error::need_more) error = {};
        if (error || n == 0) break;
        used += n;
    }
    BeastAlone out;
    out.header_done = parser.is_header_done();
    if (out.header_done) {
        out.method = std::string(parser.get().method_string());
        out.target = std::string(parser.get().target());
        out.version = parser.get().version();
    }
    return out;
}

void check_accepted(std::string_view head, RequestHead& accepted, std::string_view rest) {
    FUZZ_CHECK(accepted.version == 10 || accepted.version == 11, std::to_string(accepted.version));
    FUZZ_CHECK(accepted.parser != nullptr && accepted.parser->is_header_done(), "no parser, or its head is not done");
    const std::string request_line(head.substr(0, head.find("\r\n")));
    FUZZ_CHECK(request_line ==
                   accepted.method + " " + accepted.target + (accepted.version == 11 ? " HTTP/1.1" : " HTTP/1.0"),
               "the request line \"" + request_line + "\" read as " + accepted.method + " " + accepted.target);
    if (accepted.version == 11) {
        FUZZ_CHECK(accepted.has_field("Host"), "an HTTP/1.1 head without Host accepted");
    }
    if (accepted.framing == BodyFraming::chunked) {
        FUZZ_CHECK(accepted.version == 11, "chunked in HTTP/1.0 accepted");
    }
    if (accepted.framing == BodyFraming::content_length) {
        const std::string length = accepted.field("Content-Length");
        FUZZ_CHECK(!length.empty() && length.size() <= 18 &&
                       std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                       std::stoull(length) == accepted.content_length,
                   "Content-Length \"" + length + "\" read as " + std::to_string(accepted.content_length));
    }
    if (head.size() <= 8192) {
        const BeastAlone beast = beast_alone(head);
        FUZZ_CHECK(beast.header_done && beast.method == accepted.method && beast.target == accepted.target &&
                       beast.version == accepted.version,
                   "Beast alone reads " + beast.method + " " + beast.target + " " + std::to_string(beast.version));
    }

    // A chunked body goes through the head's parser, bounded as the transport bounds it.
    if (accepted.framing != BodyFraming::chunked) return;
    BodyParser& parser = *accepted.parser;
    parser.body_limit(4096);
    parser.eager(true);
    boost::beast::error_code error;
    std::size_t used = 0;
    while (used < rest.size() && !parser.is_done()) {
        const std::size_t n = parser.put(boost::asio::buffer(rest.data() + used, rest.size() - used), error);
        if (error == beast_http::error::need_more) error = {};
        if (error || n == 0) break;
        used += n;
    }
    if (error) check_refusal(body_refusal(error));
    if (parser.is_done()) {
        FUZZ_CHECK(parser.get().body().size() <= 4096, "a body over its limit was read");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const std::size_t end = find_head_end(bytes);
    if (end == std::string_view::npos) return 0;
    FUZZ_CHECK(end >= 2 && end <= size && bytes[end - 1] == '\n' &&
                   (bytes[end - 2] == '\n' || (end >= 3 && bytes[end - 2] == '\r' && bytes[end - 3] == '\n')),
               "the head ends at " + std::to_string(end) + ", not after an empty line");
    FUZZ_CHECK(find_head_end(bytes.substr(0, end - 1)) == std::string_view::npos, "an earlier empty line was passed");
    const std::string_view head = bytes.substr(0, end);

    auto parsed = parse_request_head(head, RequestHeadLimits{});
    if (const auto* refusal = std::get_if<HeadRefusal>(&parsed)) {
        check_refusal(*refusal);
        return 0;
    }
    check_accepted(head, std::get<RequestHead>(parsed), bytes.substr(end));
    return 0;
}
