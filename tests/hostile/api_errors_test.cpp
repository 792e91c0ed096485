// Errors the API answers (not the transport), sent as raw bytes: every one is a problem+json
// whose body is valid JSON even when the request carried bytes that are not UTF-8 (a detail
// that quotes the request must not copy them raw), and the host's documented limits
// (host/server/openapi.json: bodies, nesting, Idempotency-Key, query parameters, page sizes)
// answer their codes at their exact bounds. A well-framed request refused by the API leaves
// the connection open for the next one.
#include <gtest/gtest.h>

#include <string>

#include "hostile_fixture.hpp"
#include "problem_checks.hpp"
#include "utf8_check.hpp"

namespace billing::hostile {
namespace {

constexpr std::size_t body_bytes_max = 4096;

class ApiErrors : public HostileTest {
public:
    static void SetUpTestSuite() { start_host({{"body_bytes_max", std::to_string(body_bytes_max)}}); }

protected:
    // The answer to one request on a new connection, which must then still serve GET /livez.
    RawResponse answer_keeping_alive(const std::string& request) {
        auto connection = connect();
        RawResponse answer = exchange(*connection, request);
        const RawResponse next = exchange(*connection, get_request("/livez"));
        EXPECT_EQ(next.status, 200) << "the connection did not serve the next request after: " << answer.describe()
                                    << "\nnext: " << next.describe();
        return answer;
    }
    std::string keyed() const { return bearer(service_key()); }
};

std::string unique_ref(const std::string& stem) {
    static int made = 0;
    return stem + "-" + std::to_string(++made) + "-" + std::to_string(Clock::now().time_since_epoch().count());
}

// {"external_ref":"<ref>"} padded with spaces to exactly size bytes.
std::string account_body_of_size(const std::string& ref, std::size_t size) {
    std::string body = R"({"external_ref":")" + ref + R"("})";
    body.insert(1, size - body.size(), ' ');
    return body;
}

// Bytes that are not UTF-8: a lone continuation byte and an invalid lead byte.
const std::string not_utf8 = "\xff\x80\xfe";

TEST_F(ApiErrors, NotUtf8InThePathGetsAValidJsonProblem) {
    auto connection = connect();
    const RawResponse answer = exchange(*connection, get_request("/v1/" + not_utf8));
    EXPECT_TRUE(is_client_error_problem(answer));
}

TEST_F(ApiErrors, NotUtf8InARawQueryGetsAValidJsonProblem) {
    auto connection = connect();
    const RawResponse answer = exchange(*connection, get_request("/v1/products?" + not_utf8 + "=1", keyed()));
    EXPECT_TRUE(is_problem(answer, 400, ""));
}

TEST_F(ApiErrors, PercentEncodedNotUtf8QueryParameterIs400WithValidJson) {
    const RawResponse answer = answer_keeping_alive(get_request("/v1/products?%FF%80%FE=1", keyed()));
    EXPECT_TRUE(is_problem(answer, 400, "bad_request"));
}

TEST_F(ApiErrors, PercentEncodedNotUtf8QueryValueGetsAValidJsonAnswer) {
    const RawResponse answer = answer_keeping_alive(get_request("/v1/accounts?external_ref=%FF%80%FE", keyed()));
    if (answer.status >= 400) {
        EXPECT_TRUE(is_problem(answer, answer.status, ""));
    } else {
        EXPECT_EQ(answer.status, 200) << answer.describe();
        EXPECT_TRUE(billing::testing::is_valid_utf8(answer.body)) << answer.describe();
    }
}

TEST_F(ApiErrors, NotUtf8RequestIdIsReplacedByTheHostsOwn) {
    const RawResponse answer = answer_keeping_alive(get_request("/v1/nowhere", "X-Request-Id: " + not_utf8 + "\r\n"));
    ASSERT_TRUE(is_problem(answer, 404, "not_found"));
    EXPECT_TRUE(billing::testing::is_valid_utf8(*answer.header("X-Request-Id")));
}

TEST_F(ApiErrors, NotUtf8ContentTypeIs415WithValidJson) {
    const RawResponse answer =
        answer_keeping_alive("POST /v1/accounts HTTP/1.1\r\nHost: hostile\r\n" + keyed() +
                             "Content-Type: application/" + not_utf8 + "\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_TRUE(is_problem(answer, 415, "unsupported_media_type"));
}

TEST_F(ApiErrors, NotUtf8BearerKeyIs401WithValidJson) {
    const RawResponse answer =
        answer_keeping_alive(get_request("/v1/products", "Authorization: Bearer bk_svc_" + not_utf8 + "\r\n"));
    EXPECT_TRUE(is_problem(answer, 401, "unauthorized"));
}

TEST_F(ApiErrors, NotUtf8InAJsonStringGetsAValidJsonProblem) {
    const RawResponse answer =
        answer_keeping_alive(post_request("/v1/accounts", R"({"external_ref":")" + not_utf8 + R"("})", keyed()));
    EXPECT_TRUE(is_client_error_problem(answer));
}

TEST_F(ApiErrors, NotUtf8JsonMemberNameGetsAValidJsonProblem) {
    const RawResponse answer = answer_keeping_alive(post_request("/v1/accounts", "{\"" + not_utf8 + "\":1}", keyed()));
    EXPECT_TRUE(is_client_error_problem(answer));
}

TEST_F(ApiErrors, ABodyOverBodyBytesMaxIs413) {
    auto connection = connect();
    const RawResponse answer =
        exchange(*connection,
                 post_request("/v1/accounts", account_body_of_size(unique_ref("big"), body_bytes_max + 1), keyed()));
    EXPECT_TRUE(is_problem(answer, 413, "payload_too_large"));
}

TEST_F(ApiErrors, ABodyOfExactlyBodyBytesMaxIsRead) {
    const RawResponse answer = answer_keeping_alive(
        post_request("/v1/accounts", account_body_of_size(unique_ref("exact"), body_bytes_max), keyed()));
    EXPECT_EQ(answer.status, 201) << answer.describe();
}

TEST_F(ApiErrors, JsonNestedDeeperThanFourIs422) {
    const RawResponse deep =
        answer_keeping_alive(post_request("/v1/accounts", R"({"external_ref":{"a":{"b":{"c":{"d":1}}}}})", keyed()));
    EXPECT_TRUE(is_problem(deep, 422, "validation_failed"));
}

TEST_F(ApiErrors, AnIdempotencyKeyOf256CharactersIs400And255IsTaken) {
    const std::string body = R"({"external_ref":")" + unique_ref("key") + R"("})";
    const RawResponse too_long = answer_keeping_alive(
        post_request("/v1/accounts", body, keyed() + "Idempotency-Key: " + std::string(256, 'k') + "\r\n"));
    EXPECT_TRUE(is_problem(too_long, 400, "bad_request"));
    const RawResponse longest = answer_keeping_alive(
        post_request("/v1/accounts", body, keyed() + "Idempotency-Key: " + std::string(255, 'k') + "\r\n"));
    EXPECT_EQ(longest.status, 201) << longest.describe();
}

TEST_F(ApiErrors, AnUnknownQueryParameterIs400) {
    const RawResponse answer = answer_keeping_alive(get_request("/v1/accounts?limt=5", keyed()));
    EXPECT_TRUE(is_problem(answer, 400, "bad_request"));
}

TEST_F(ApiErrors, APageLimitIsFrom1To100) {
    for (const char* refused : {"1000", "101", "0", "-1", "ten"}) {
        const RawResponse answer =
            answer_keeping_alive(get_request(std::string("/v1/accounts?limit=") + refused, keyed()));
        EXPECT_TRUE(is_problem(answer, 400, "bad_request")) << "limit=" << refused;
    }
    for (const char* taken : {"1", "100"}) {
        const RawResponse answer =
            answer_keeping_alive(get_request(std::string("/v1/accounts?limit=") + taken, keyed()));
        EXPECT_EQ(answer.status, 200) << "limit=" << taken << ": " << answer.describe();
    }
}

// A long but well-formed method is a token like any other: the route answers it is not allowed.
TEST_F(ApiErrors, ALongMethodIs405WithAllow) {
    // Appended, not `std::string(100, 'X') + "..."`: GCC 12 at -O2 reports a false -Warray-bounds
    // inside the inlined rvalue operator+ once the test headers are precompiled.
    std::string request(100, 'X');
    request.append(" /v1/products HTTP/1.1\r\nHost: hostile\r\n").append(keyed()).append("\r\n");
    const RawResponse answer = answer_keeping_alive(request);
    EXPECT_TRUE(is_problem(answer, 405, "method_not_allowed"));
    EXPECT_EQ(answer.header("Allow").value_or(""), "GET");
}

}  // namespace
}  // namespace billing::hostile
