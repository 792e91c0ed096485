#include "billing/http/request_log.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "billing/http/api_keys.hpp"

namespace billing::http {
namespace {

RequestLogEntry cancel_too_early() {
    RequestLogEntry entry;
    entry.at_ms = 1'700'000'000'006;
    entry.method = "POST";
    entry.route = "/v1/orders/{id}/cancel";
    entry.status = 409;
    entry.duration = std::chrono::microseconds{1234};
    entry.tenant_id = "ten_1";
    entry.request_id = "req_abc";
    entry.error_code = "cancel_too_early";
    return entry;
}

TEST(RequestLog, TheLineHasEveryFieldInOrder) {
    EXPECT_EQ(format_request_log(cancel_too_early()),
              R"({"ts":"2023-11-14T22:13:20.006Z","level":"warn","method":"POST","route":"/v1/orders/{id}/cancel",)"
              R"("status":409,"duration_ms":1.234,"tenant":"ten_1","request_id":"req_abc","error":"cancel_too_early"})");
}

TEST(RequestLog, PublicSuccessHasNullTenantAndNoError) {
    RequestLogEntry entry;
    entry.method = "GET";
    entry.route = "/livez";
    entry.status = 200;
    entry.duration = std::chrono::microseconds{7};
    entry.request_id = "r";
    EXPECT_EQ(format_request_log(entry),
              R"({"ts":"1970-01-01T00:00:00.000Z","level":"info","method":"GET","route":"/livez","status":200,)"
              R"("duration_ms":0.007,"tenant":null,"request_id":"r"})");
}

TEST(RequestLog, LevelFollowsTheStatus) {
    RequestLogEntry entry = cancel_too_early();
    entry.status = 503;
    EXPECT_NE(format_request_log(entry).find(R"("level":"error")"), std::string::npos);
    entry.status = 399;
    EXPECT_NE(format_request_log(entry).find(R"("level":"info")"), std::string::npos);
    entry.status = 400;
    EXPECT_NE(format_request_log(entry).find(R"("level":"warn")"), std::string::npos);
}

TEST(RequestLog, UnknownMethodsAreNotEchoed) {
    RequestLogEntry entry = cancel_too_early();
    entry.method = "BK_SVC_SECRET";
    EXPECT_NE(format_request_log(entry).find(R"("method":"OTHER")"), std::string::npos);
}

TEST(RequestLog, StringsAreEscaped) {
    std::string out;
    append_json_string(out, std::string("a\"b\\c\nd\te\x01", 11));
    EXPECT_EQ(out, R"("a\"b\\c\nd\te\u0001\u0000")");  // the 11th byte is a NUL
}

TEST(RequestLog, DurationIsExactMilliseconds) {
    RequestLogEntry entry = cancel_too_early();
    entry.duration = std::chrono::microseconds{12'345'678};
    EXPECT_NE(format_request_log(entry).find(R"("duration_ms":12345.678,)"), std::string::npos);
    entry.duration = std::chrono::microseconds{-5};
    EXPECT_NE(format_request_log(entry).find(R"("duration_ms":0.000,)"), std::string::npos);
}

TEST(RequestLog, ClientRequestIdIsKeptWhenPlain) {
    EXPECT_EQ(accept_request_id("abc-123_X.y"), "abc-123_X.y");
    EXPECT_EQ(accept_request_id(std::string(64, 'a')), std::string(64, 'a'));
}

TEST(RequestLog, OtherRequestIdsAreReplaced) {
    const std::regex fresh("req_[0-9a-f]{32}");
    const std::string key = generate_api_key(Role::service).value().key;
    for (const std::string& bad : {std::string(""), std::string(65, 'a'), std::string("a b"), std::string("a\"b"),
                                   std::string("a\nb"), key, std::string("BK_") + key.substr(3)}) {
        const std::string id = accept_request_id(bad);
        EXPECT_TRUE(std::regex_match(id, fresh)) << bad;
    }
}

}  // namespace
}  // namespace billing::http
