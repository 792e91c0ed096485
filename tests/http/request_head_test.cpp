// The strict request-head reader: every refusal RFC 9112 asks of a server that must not be
// smuggled past, each with its problem code, and the heads it must accept.
#include <gtest/gtest.h>

#include <string>

#include "billing/http/problem.hpp"
#include "billing/http/request_head.hpp"

namespace billing::http {
namespace {

namespace pc = problem_code;

std::string_view refusal_code(std::string_view head, RequestHeadLimits limits = {}) {
    auto parsed = parse_request_head(head, limits);
    if (auto* refused = std::get_if<HeadRefusal>(&parsed)) return refused->code;
    return "accepted";
}

RequestHead accepted(std::string_view head) {
    auto parsed = parse_request_head(head, {});
    EXPECT_TRUE(std::holds_alternative<RequestHead>(parsed))
        << "refused with " << std::get<HeadRefusal>(parsed).code << ": " << std::get<HeadRefusal>(parsed).detail;
    return std::get<RequestHead>(std::move(parsed));
}

TEST(RequestHead, FindsTheEndOfTheHeadAfterCrlfOrBareLf) {
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY"), 27u);
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\nHost: a\n\nBODY"), 24u);
    EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\nHost: a\r\n"), std::string_view::npos);
    EXPECT_EQ(find_head_end(""), std::string_view::npos);
}

TEST(RequestHead, AcceptsAPlainGetAndAPostWithALength) {
    const RequestHead get = accepted("GET /v1/products?limit=2 HTTP/1.1\r\nHost: a\r\nX-Request-Id: r1\r\n\r\n");
    EXPECT_EQ(get.method, "GET");
    EXPECT_EQ(get.target, "/v1/products?limit=2");
    EXPECT_EQ(get.version, 11u);
    EXPECT_EQ(get.framing, BodyFraming::none);
    EXPECT_TRUE(get.keep_alive);
    EXPECT_EQ(get.field("x-request-id"), "r1");

    const RequestHead post = accepted("POST /v1/accounts HTTP/1.1\r\nHost: a\r\nContent-Length: 18\r\n\r\n");
    EXPECT_EQ(post.framing, BodyFraming::content_length);
    EXPECT_EQ(post.content_length, 18u);
}

TEST(RequestHead, KeepAliveFollowsVersionAndConnection) {
    EXPECT_FALSE(accepted("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").keep_alive);
    EXPECT_FALSE(accepted("GET / HTTP/1.0\r\n\r\n").keep_alive);
    EXPECT_TRUE(accepted("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
}

TEST(RequestHead, RefusesMalformedRequestLines) {
    EXPECT_EQ(refusal_code("G E T /x HTTP/1.1\r\nHost: a\r\n\r\n"), pc::bad_request_line);
    EXPECT_EQ(refusal_code("GET /v1/products http/1.1\r\nHost: a\r\n\r\n"), pc::bad_request_line);
    EXPECT_EQ(refusal_code("GET  /x HTTP/1.1\r\nHost: a\r\n\r\n"), pc::bad_request_line);
    EXPECT_EQ(refusal_code("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"), pc::bad_request_line);
    EXPECT_EQ(refusal_code("GET /x\r\nHost: a\r\n\r\n"), pc::bad_request_line);
    EXPECT_EQ(refusal_code("GET /x HTTP/1.1\nHost: a\n\n"), pc::bad_request_line);
    EXPECT_EQ(refusal_code("\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n"), pc::bad_request_line);
    EXPECT_EQ(refusal_code(std::string("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n")), pc::bad_request_line);
    EXPECT_EQ(refusal_code("GET(x) / HTTP/1.1\r\nHost: a\r\n\r\n"), pc::bad_request_line);
}

TEST(RequestHead, RefusesOtherVersionsWith505) {
    EXPECT_EQ(refusal_code("GET /x HTTP/1.2\r\nHost: a\r\n\r\n"), pc::http_version_not_supported);
    EXPECT_EQ(refusal_code("GET /x HTTP/2.0\r\nHost: a\r\n\r\n"), pc::http_version_not_supported);
    EXPECT_EQ(refusal_code("GET /x HTTP/0.9\r\nHost: a\r\n\r\n"), pc::http_version_not_supported);
    EXPECT_EQ(refusal_code("GET /x HTTP/11\r\nHost: a\r\n\r\n"), pc::bad_request_line);
}

TEST(RequestHead, RefusesMalformedFieldLines) {
    EXPECT_EQ(refusal_code("GET /x HTTP/1.1\r\nHost: a\r\nNa(me: x\r\n\r\n"), pc::bad_header);
    EXPECT_EQ(refusal_code("GET /x HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n"), pc::bad_header);
    EXPECT_EQ(refusal_code("GET /x HTTP/1.1\r\nHost: a\r\nName : x\r\n\r\n"), pc::bad_header);
    EXPECT_EQ(refusal_code("GET /x HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"), pc::bad_header);
    EXPECT_EQ(refusal_code(std::string("GET /x HTTP/1.1\r\nHost: a\r\nA: x\0y\r\n\r\n", 36)), pc::bad_header);
    EXPECT_EQ(refusal_code("GET /x HTTP/1.1\r\nHost: a\r\nA: x\r\n folded\r\n\r\n"), pc::bad_header);
    EXPECT_EQ(refusal_code("GET /x HTTP/1.1\r\nHost: a\r\nA: x\rb\r\n\r\n"), pc::bad_header);
}

TEST(RequestHead, HostIsRequiredOnceInHttp11) {
    EXPECT_EQ(refusal_code("GET /x HTTP/1.1\r\n\r\n"), pc::missing_host);
    EXPECT_EQ(refusal_code("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), pc::missing_host);
    EXPECT_EQ(refusal_code("GET /x HTTP/1.0\r\n\r\n"), "accepted");
}

TEST(RequestHead, HeaderFieldCountIsBoundedAtTheLimit) {
    RequestHeadLimits limits;
    limits.header_fields_max = 3;
    EXPECT_EQ(refusal_code("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", limits), "accepted");
    EXPECT_EQ(refusal_code("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits), pc::header_too_large);
}

TEST(RequestHead, ContentLengthMustBeOneNumber) {
    const auto with_length = [](std::string_view fields) {
        return refusal_code("POST /x HTTP/1.1\r\nHost: a\r\n" + std::string(fields) + "\r\n");
    };
    EXPECT_EQ(with_length("Content-Length: 0\r\n"), "accepted");
    EXPECT_EQ(with_length("Content-Length: 999999999999999999\r\n"), "accepted");               // 18 digits
    EXPECT_EQ(with_length("Content-Length: 1000000000000000000\r\n"), pc::bad_content_length);  // 19
    EXPECT_EQ(with_length("Content-Length: 12345678901234567890\r\n"), pc::bad_content_length);
    EXPECT_EQ(with_length("Content-Length: abc\r\n"), pc::bad_content_length);
    EXPECT_EQ(with_length("Content-Length: -1\r\n"), pc::bad_content_length);
    EXPECT_EQ(with_length("Content-Length: +5\r\n"), pc::bad_content_length);
    EXPECT_EQ(with_length("Content-Length: 18, 18\r\n"), pc::bad_content_length);
    EXPECT_EQ(with_length("Content-Length: 18\r\nContent-Length: 18\r\n"), pc::bad_content_length);
    EXPECT_EQ(with_length("Content-Length: 18\r\nContent-Length: 19\r\n"), pc::bad_content_length);
}

TEST(RequestHead, TransferEncodingIsChunkedAloneInHttp11) {
    const auto head = [](std::string_view version, std::string_view fields) {
        return "POST /x " + std::string(version) + "\r\nHost: a\r\n" + std::string(fields) + "\r\n";
    };
    EXPECT_EQ(accepted(head("HTTP/1.1", "Transfer-Encoding: chunked\r\n")).framing, BodyFraming::chunked);
    EXPECT_EQ(refusal_code(head("HTTP/1.1", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")),
              pc::bad_transfer_encoding);
    EXPECT_EQ(refusal_code(head("HTTP/1.1", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n")),
              pc::bad_transfer_encoding);
    EXPECT_EQ(refusal_code(head("HTTP/1.0", "Transfer-Encoding: chunked\r\n")), pc::bad_transfer_encoding);
    EXPECT_EQ(refusal_code(head("HTTP/1.1", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")),
              pc::bad_transfer_encoding);
    EXPECT_EQ(refusal_code(head("HTTP/1.1", "Transfer-Encoding: chunked, gzip\r\n")), pc::bad_transfer_encoding);
    EXPECT_EQ(refusal_code(head("HTTP/1.1", "Transfer-Encoding: chunked, chunked\r\n")), pc::bad_transfer_encoding);
    EXPECT_EQ(refusal_code(head("HTTP/1.1", "Transfer-Encoding: gzip\r\n")), pc::transfer_coding_not_implemented);
    EXPECT_EQ(refusal_code(head("HTTP/1.1", "Transfer-Encoding: gzip, chunked\r\n")),
              pc::transfer_coding_not_implemented);
}

TEST(RequestHead, ExpectIsOnly100Continue) {
    EXPECT_TRUE(
        accepted("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n").expect_continue);
    EXPECT_EQ(refusal_code("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 200-ok\r\n\r\n"),
              pc::expectation_failed);
    EXPECT_EQ(refusal_code("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 100-continue\r\n"
                           "Expect: x\r\n\r\n"),
              pc::expectation_failed);
    // HTTP/1.0 has no 1xx answers: the expectation is ignored (RFC 9110 §10.1.1).
    EXPECT_FALSE(accepted("POST /x HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n").expect_continue);
}

TEST(RequestHead, TheApisFieldsComeFromTheHeadNeverFromATrailer) {
    RequestHead head =
        accepted("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nX-Request-Id: from-head\r\n\r\n");
    EXPECT_EQ(head.request_id, "from-head");
    EXPECT_EQ(head.authorization, "");
    EXPECT_FALSE(head.idempotency_key.has_value());
    head.parser->eager(true);
    const std::string body = "2\r\n{}\r\n0\r\nAuthorization: Bearer k\r\nIdempotency-Key: t\r\n\r\n";
    boost::beast::error_code error;
    head.parser->put(boost::asio::buffer(body), error);
    ASSERT_FALSE(error) << error.message();
    ASSERT_TRUE(head.parser->is_done());
    EXPECT_EQ(head.authorization, "");
    EXPECT_FALSE(head.idempotency_key.has_value());
}

TEST(RequestHead, NonAsciiBytesInTheTargetAreTheRoutersToRefuse) {
    // obs-text is legal in the grammar; the router answers 404 for a path it does not know.
    EXPECT_EQ(accepted("GET /\xff\xfe HTTP/1.1\r\nHost: a\r\n\r\n").target, "/\xff\xfe");
}

TEST(RequestHead, ChunkedBodyDecodesThroughTheHeadsParser) {
    RequestHead head = accepted("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
    head.parser->body_limit(8);
    head.parser->eager(true);
    const std::string body = "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n";
    boost::beast::error_code error;
    std::size_t used = 0;
    while (used < body.size() && !head.parser->is_done()) {
        const std::size_t n = head.parser->put(boost::asio::buffer(body.data() + used, body.size() - used), error);
        ASSERT_FALSE(error && error != boost::beast::http::error::need_more) << error.message();
        used += n;
        if (n == 0) break;
    }
    ASSERT_TRUE(head.parser->is_done());
    EXPECT_EQ(head.parser->get().body(), "abcde");

    RequestHead big = accepted("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
    big.parser->body_limit(4);
    big.parser->eager(true);
    const std::string five = "5\r\nabcde\r\n0\r\n\r\n";
    big.parser->put(boost::asio::buffer(five), error);
    EXPECT_EQ(body_refusal(error).code, pc::payload_too_large);
}

}  // namespace
}  // namespace billing::http
