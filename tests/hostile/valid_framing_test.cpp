// Valid framing the transport must keep serving (RFC 9112 §9): persistent connections by default
// in HTTP/1.1, Connection: close honoured, HTTP/1.0 closing unless it asks to stay, pipelined
// requests answered in order, chunked request bodies; and an API-level error (a 404, a 401)
// leaves a well-framed connection open for the next request.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <string>
#include <thread>

#include "hostile_fixture.hpp"
#include "problem_checks.hpp"

namespace billing::hostile {
namespace {

class ValidFraming : public HostileTest {
public:
    static void SetUpTestSuite() { start_host({}); }
};

std::string unique_ref(const std::string& stem) {
    static int made = 0;
    return stem + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
           std::to_string(++made) + "-" + std::to_string(Clock::now().time_since_epoch().count());
}

TEST_F(ValidFraming, Http11KeepsTheConnectionForTheNextRequest) {
    auto connection = connect();
    for (int i = 0; i < 3; ++i) {
        const RawResponse answer = exchange(*connection, get_request("/livez"));
        ASSERT_EQ(answer.status, 200) << "request " << i << ": " << answer.describe();
    }
    EXPECT_FALSE(connection->closed_now());
}

TEST_F(ValidFraming, ConnectionCloseIsAnsweredThenClosed) {
    auto connection = connect();
    const RawResponse answer = exchange(*connection, get_request("/livez", "Connection: close\r\n"));
    EXPECT_EQ(answer.status, 200) << answer.describe();
    EXPECT_TRUE(connection->wait_closed(answer_timeout));
}

TEST_F(ValidFraming, Http10IsAnsweredThenClosed) {
    auto connection = connect();
    const RawResponse answer = exchange(*connection, "GET /livez HTTP/1.0\r\n\r\n");
    EXPECT_EQ(answer.status, 200) << answer.describe();
    EXPECT_TRUE(connection->wait_closed(answer_timeout)) << "an HTTP/1.0 connection stays open only if asked";
}

TEST_F(ValidFraming, Http10WithKeepAliveStaysOpen) {
    auto connection = connect();
    for (int i = 0; i < 2; ++i) {
        const RawResponse answer = exchange(*connection, "GET /livez HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        ASSERT_EQ(answer.status, 200) << "request " << i << ": " << answer.describe();
    }
}

TEST_F(ValidFraming, TwoPipelinedRequestsAreAnsweredInOrder) {
    auto connection = connect();
    ASSERT_TRUE(connection->send(get_request("/livez", "X-Request-Id: pipelined-first\r\n") +
                                 get_request("/v1/no-such-route", "X-Request-Id: pipelined-second\r\n")));
    const RawResponse first = connection->read_response(answer_timeout);
    const RawResponse second = connection->read_response(answer_timeout);
    EXPECT_EQ(first.status, 200) << first.describe();
    EXPECT_EQ(first.header("X-Request-Id").value_or(""), "pipelined-first");
    EXPECT_TRUE(is_problem(second, 404, "not_found"));
    EXPECT_EQ(second.header("X-Request-Id").value_or(""), "pipelined-second");
}

TEST_F(ValidFraming, AChunkedBodyIsAccepted) {
    auto connection = connect();
    const std::string ref = unique_ref("chunked");
    const std::string body = R"({"external_ref":")" + ref + R"("})";
    const std::string head_part = body.substr(0, 10);
    const std::string tail_part = body.substr(10);
    auto hex = [](std::size_t n) {
        char text[16];
        std::snprintf(text, sizeof text, "%zx", n);
        return std::string(text);
    };
    const RawResponse answer = exchange(
        *connection, "POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\n" +
                         bearer(service_key()) + "Transfer-Encoding: chunked\r\n\r\n" + hex(head_part.size()) + "\r\n" +
                         head_part + "\r\n" + hex(tail_part.size()) + "\r\n" + tail_part + "\r\n0\r\n\r\n");
    ASSERT_EQ(answer.status, 201) << answer.describe();
    const auto account = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(account->getValue<std::string>("external_ref"), ref);
    // The chunked framing ended where it said: the connection serves the next request.
    EXPECT_EQ(exchange(*connection, get_request("/livez")).status, 200);
}

// A chunked body's trailer fields are not the request's (RFC 9110 §6.5.1): an Authorization that
// only the trailer carries authenticates nothing, so no proxy that checked the head is bypassed.
TEST_F(ValidFraming, ATrailerFieldIsNeverTakenForAHeaderField) {
    auto connection = connect();
    const std::string body = R"({"external_ref":")" + unique_ref("trailer") + R"("})";
    char size[16];
    std::snprintf(size, sizeof size, "%zx", body.size());
    const RawResponse answer =
        exchange(*connection, "POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n" +
                                  std::string(size) + "\r\n" + body + "\r\n0\r\n" + bearer(service_key()) + "\r\n");
    EXPECT_TRUE(is_problem(answer, 401, "unauthorized"));
}

// A last chunk that arrives a byte or two at a time (Beast 1.74 asserted on such a resume in
// debug builds: the ASan pass of ./dev test runs this against such a host).
TEST_F(ValidFraming, AnEmptyChunkedBodySentInPiecesIsServed) {
    auto connection = connect();
    ASSERT_TRUE(connection->send("POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\n" +
                                 bearer(service_key()) + "Transfer-Encoding: chunked\r\n\r\n0\r\n"));
    for (const char* piece : {"\r", "\n"}) {
        std::this_thread::sleep_for(milliseconds(50));
        ASSERT_TRUE(connection->send(piece));
    }
    const RawResponse answer = connection->read_response(answer_timeout);
    EXPECT_TRUE(is_problem(answer, 422, "validation_failed")) << "an empty body is {}, which lacks external_ref";
    EXPECT_EQ(exchange(*connection, get_request("/livez")).status, 200);
}

// RFC 9110 §9.3.2: no content in an answer to HEAD, or a keep-alive client would read it as the
// start of its next answer.
TEST_F(ValidFraming, AnAnswerToHeadHasNoContentAndTheConnectionStaysInStep) {
    auto connection = connect();
    ASSERT_TRUE(connection->send("HEAD /livez HTTP/1.1\r\nHost: hostile\r\n\r\n"));
    std::string extra;
    EXPECT_FALSE(connection->wait_closed(milliseconds(300), &extra));
    const auto blank = extra.find("\r\n\r\n");
    ASSERT_NE(blank, std::string::npos) << extra;
    EXPECT_EQ(extra.substr(0, 12), "HTTP/1.1 405") << extra;
    EXPECT_EQ(extra.size(), blank + 4) << "bytes after the head of a HEAD answer: " << extra;
}

// RFC 9112 §2.2: an empty line before a request line is ignored.
TEST_F(ValidFraming, AnEmptyLineBeforeTheRequestLineIsIgnored) {
    auto connection = connect();
    EXPECT_EQ(exchange(*connection, "\r\n" + get_request("/livez")).status, 200);
}

// HTTP/1.0 has no 1xx answers: its Expect: 100-continue is ignored (RFC 9110 §10.1.1), and the
// first answer is the final one.
TEST_F(ValidFraming, AnHttp10ExpectationGetsNo100Continue) {
    auto connection = connect();
    const RawResponse answer =
        exchange(*connection, "POST /v1/accounts HTTP/1.0\r\nContent-Type: application/json\r\n" +
                                  bearer(service_key()) + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_TRUE(is_problem(answer, 422, "validation_failed")) << answer.describe();
}

TEST_F(ValidFraming, AnHttp10RequestNeedsNoHost) {
    auto connection = connect();
    const RawResponse answer = exchange(*connection, "GET /livez HTTP/1.0\r\n\r\n");
    EXPECT_EQ(answer.status, 200) << answer.describe();
}

TEST_F(ValidFraming, A404KeepsTheConnectionOpen) {
    auto connection = connect();
    const RawResponse missing = exchange(*connection, get_request("/v1/nowhere"));
    EXPECT_TRUE(is_problem(missing, 404, "not_found"));
    EXPECT_NE(missing.header("Connection").value_or(""), "close") << missing.describe();
    const RawResponse next = exchange(*connection, get_request("/livez"));
    EXPECT_EQ(next.status, 200) << next.describe();
}

TEST_F(ValidFraming, A401OnAPostWithABodyKeepsTheConnectionOpen) {
    auto connection = connect();
    const RawResponse refused =
        exchange(*connection, post_request("/v1/accounts", R"({"external_ref":"x"})", bearer("bk_svc_nope_nope")));
    EXPECT_TRUE(is_problem(refused, 401, "unauthorized"));
    // The refused request's body was consumed with it, not taken for the next request.
    const RawResponse next = exchange(*connection, get_request("/livez"));
    EXPECT_EQ(next.status, 200) << next.describe();
}

TEST_F(ValidFraming, TheClientsRequestIdIsEchoedInTheProblem) {
    auto connection = connect();
    const RawResponse answer = exchange(*connection, get_request("/v1/nowhere", "X-Request-Id: hostile-rid-1\r\n"));
    ASSERT_TRUE(is_problem(answer, 404, "not_found"));
    EXPECT_EQ(answer.header("X-Request-Id").value_or(""), "hostile-rid-1");
}

}  // namespace
}  // namespace billing::hostile
