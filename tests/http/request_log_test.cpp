#include "billing/http/request_log.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <vector>

#include "billing/core/ids.hpp"

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
    EXPECT_EQ(
        format_request_log(cancel_too_early()),
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
    std::string in = "a\"b\\c\nd\te\x01";
    in.push_back('\0');  // a NUL byte, which must be escaped too
    append_json_string(out, in);
    EXPECT_EQ(out, R"("a\"b\\c\nd\te\u0001\u0000")");
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

TEST(RequestLog, ACauseIsWrittenFor5xxOnly) {
    RequestLogEntry entry = cancel_too_early();
    entry.status = 500;
    entry.error_code = "policy_violation";
    entry.cause = "policy_violation: voucher@1.0.0 on order ord_1: refund_exceeds_held: 151 > 150";
    EXPECT_EQ(format_request_log(entry),
              R"({"ts":"2023-11-14T22:13:20.006Z","level":"error","method":"POST","route":"/v1/orders/{id}/cancel",)"
              R"("status":500,"duration_ms":1.234,"tenant":"ten_1","request_id":"req_abc","error":"policy_violation",)"
              R"("cause":"policy_violation: voucher@1.0.0 on order ord_1: refund_exceeds_held: 151 > 150"})");
    entry.status = 503;
    EXPECT_NE(format_request_log(entry).find(R"(,"cause":")"), std::string::npos);
    entry.status = 499;
    EXPECT_EQ(format_request_log(entry).find("cause"), std::string::npos);
}

TEST(RequestLog, ALineIsOneLineOfValidUtf8WhateverTheCauseHolds) {
    RequestLogEntry entry = cancel_too_early();
    entry.status = 500;
    const std::string cause = std::string("exception: bad byte \xff") + "\xC0" + "\n\x1b[2Jline two \xE2\x80\xA8";
    entry.cause = cause;
    const std::string line = format_request_log(entry);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    // Each bad byte is one U+FFFD (as UTF-8); the line break, ESC and U+2028 are escapes.
    EXPECT_NE(line.find("\"cause\":\"exception: bad byte \uFFFD\uFFFD\\n\\u001b[2Jline two \\u2028\"}"),
              std::string::npos)
        << line;
}

TEST(RequestLog, ALoggedCauseHasNoKeyAndIsBounded) {
    const std::string key = generate_api_key(Role::service).value().key;
    EXPECT_EQ(log_cause("storage_failed: while looking up " + key + " (abc)"),
              "storage_failed: while looking up bk_[redacted] (abc)");
    EXPECT_EQ(log_cause("BK_SVC_x and bk_"), "bk_[redacted] and bk_[redacted]");
    EXPECT_EQ(log_cause(std::string(log_cause_bytes_max, 'x')), std::string(log_cause_bytes_max, 'x'));
    EXPECT_EQ(log_cause(std::string(log_cause_bytes_max + 5, 'x')),
              std::string(log_cause_bytes_max, 'x') + "... (5 more bytes)");
}

TEST(RequestLog, RequestIdsShapedLikeAnySecretAreReplaced) {
    const std::regex fresh("req_[0-9a-f]{32}");
    const std::string key = generate_api_key(Role::service).value().key;
    const std::vector<std::string> secrets{
        key.substr(3),                   // the key without its bk_ prefix: its secret is a token
        key.substr(key.rfind('_') + 1),  // the secret part alone
        "x-bk_svc_1",                    // bk_ anywhere
        "Bearer_abc",
        "bearer-abc",
        "BASIC.dXNlcjpwYXNz",                      // an Authorization value
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2ln",  // JWT-like: three dot-separated parts
        "a.b.c",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",       // another service's key: a run of 24 mixed characters
        "AKIAIOSFODNN7EXAMPLE",                   // an AWS access key id: 20
        "ghp_0123456789abcdefghij",               // 16 letters and digits mixed
        std::string(33, 'a').replace(0, 1, "1"),  // hexadecimal, but longer than 32 digits
    };
    for (const std::string& secret : secrets) {
        EXPECT_TRUE(std::regex_match(accept_request_id(secret), fresh)) << secret;
    }
}

TEST(RequestLog, RequestIdsOfTheUsualShapesAreKept) {
    const std::string own = new_id("req");
    for (const std::string& id :
         {std::string("client-chosen-id.1"), std::string("9b1f0d4e-2c7a-4f3e-8a61-5d2c0b7e9f13"), own,
          std::string("4bf92f3577b34da6a3ce929d0e0e4736"), std::string("checkout.retry"),
          std::string("order-creation-attempt-number-7"), std::string("abc123def456ghi"),
          std::string("ALLCAPSLETTERSONLYWITHOUTDIGITS")}) {
        EXPECT_EQ(accept_request_id(id), id);
    }
}

}  // namespace
}  // namespace billing::http
