// Refused bodies on every POST route the host serves (walked from the route table), each sent to
// a real target with an allowed key, so that only the body can be what stops it: malformed JSON
// 400, a wrong type or an unknown member 422, money that is not a JSON integer 422, a body over
// 64 KiB 413, a Content-Type other than JSON 415, nesting deeper than allowed 422. Every answer
// is problem+json, and the tenant reads exactly the same afterwards (the fixture's audit runs
// after each test).
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "boundary_fixture.hpp"

namespace billing::integration {
namespace {

using boundaries::is_problem;
using boundaries::RawRequest;
using boundaries::repeat;
using boundaries::route_label;
using boundaries::served_routes;

constexpr std::size_t body_bytes_max = 64 * 1024;  // the host's default [server] body_bytes_max

std::vector<const http::RouteSpec*> post_routes() {
    std::vector<const http::RouteSpec*> out;
    for (const http::RouteSpec* route : served_routes()) {
        if (route->method == http::Method::post) out.push_back(route);
    }
    return out;
}

// body with blanks before its last '}', to exactly size bytes.
std::string padded(const std::string& body, std::size_t size) {
    const std::size_t close = body.rfind('}');
    return body.substr(0, close) + repeat(' ', size - body.size()) + body.substr(close);
}

class BoundariesBadBody : public boundaries::BoundaryTest {
protected:
    // The route's real request with body instead of its own.
    Response post(const http::RouteSpec& route, const std::string& body, bool chunked = false) {
        auto request = real_request(route);
        if (!request) return Response{};
        request->body = body;
        request->chunked = chunked;
        return send(*request, "Bearer " + allowed_key(route));
    }

    // Bodies of the right JSON shape but a wrong type or value, per route. A route missing here
    // fails the test, so that a new POST route gets its own.
    std::map<std::string, std::vector<std::string>> wrong_types() {
        const std::string account = "\"" + data_.accounts[0] + "\"";
        const std::string buy = R"({"account_id":)" + account + R"(,"product":)";
        return {
            {"accounts.create",
             {R"({"external_ref":5})", R"({"external_ref":true})", R"({"external_ref":["r"]})",
              R"({"external_ref":{"r":"s"}})", R"({"external_ref":1.5})", R"({"external_ref":null})", "{}",
              R"({"external_ref":""})", R"({"external_ref":"@funding"})",
              R"({"external_ref":")" + repeat('r', 201) + "\"}"}},
            {"accounts.deposit",
             {R"({"amount_minor":"100"})", R"({"amount_minor":true})", R"({"amount_minor":[100]})",
              R"({"amount_minor":{"v":100}})", R"({"amount_minor":null})", "{}"}},
            {"orders.create",
             {R"({"account_id":5,"product":"activation","attributes":{"service":"telegram","country":"us"}})",
              buy + R"(["activation"],"attributes":{"service":"telegram","country":"us"}})",
              buy + R"("activation","attributes":"telegram"})", buy + R"("activation","attributes":["telegram","us"]})",
              buy + R"("activation","attributes":{"service":1,"country":"us"}})",
              buy + R"("activation","attributes":{"service":"telegram","country":null}})",
              buy + R"("rental","numbers":{"duration_hours":"24"}})",
              buy + R"("rental","numbers":{"duration_hours":24.0}})",
              buy + R"("rental","numbers":{"duration_hours":2.4e1}})",
              buy + R"("rental","numbers":{"duration_hours":true}})", buy + R"("rental","numbers":24})",
              R"({"product":"activation","attributes":{"service":"telegram","country":"us"}})",
              R"({"account_id":)" + account + "}"}},
            // A cancel has no members: its wrong bodies are the unknown members of the test below.
            {"orders.cancel", {}},
            {"orders.message",
             {R"({"service":1})", R"({"service":["telegram"]})", R"({"service":{"name":"telegram"}})",
              R"({"service":null})", R"({"service":""})", "{}"}},
            {"orders.refund",
             {R"({"reason":1})", R"({"reason":"Provider_Error"})", R"({"reason":""})", "{}",
              R"({"reason":"provider_error","amount_minor":"5"})", R"({"reason":"provider_error","amount_minor":1.5})",
              R"({"reason":"provider_error","amount_minor":0})", R"({"reason":"provider_error","amount_minor":-1})",
              R"({"reason":"provider_error","note":5})",
              R"({"reason":"provider_error","note":")" + repeat('n', 1001) + "\"}"}},
            {"orders.extend",
             {R"({"hours":"1"})", R"({"hours":1.5})", R"({"hours":0})", R"({"hours":-1})", R"({"hours":true})",
              R"({"hours":87601})", "{}"}},
            {"orders.dispute",
             {R"({"description":1})", R"({"description":""})", "{}", R"({"description":"x","evidence_url":5})",
              R"({"description":"x","evidence_url":"http://example.com/v.mp4"})",
              R"({"description":"x","evidence_url":"https://"})",
              R"({"description":"x","evidence_url":"https://example.com/a video.mp4"})"}},
            {"disputes.resolve",
             {R"({"resolution":"maybe"})", R"({"resolution":1})", "{}", R"({"resolution":"refund"})",
              R"({"resolution":"reject","amount_minor":5})", R"({"resolution":"refund","amount_minor":"5"})",
              R"({"resolution":"refund","amount_minor":0})"}},
            {"test_clock.advance",
             {R"({"seconds":"60"})", R"({"seconds":1.5})", R"({"seconds":60.0})", R"({"seconds":6e1})",
              R"({"seconds":true})", R"({"seconds":-1})", R"({"seconds":31622401})", R"({"to":5})",
              R"({"to":"tomorrow"})", R"({"to":"2099-13-01T00:00:00.000Z"})", "{}",
              R"({"seconds":60,"to":"2099-01-01T00:00:00.000Z"})"}},
            {"admin.tenants.create",
             {R"({"name":1,"currency":"USD","policy":"otpdesk"})", R"({"name":"t","currency":840,"policy":"otpdesk"})",
              R"({"name":"t","currency":"usd","policy":"otpdesk"})",
              R"({"name":"t","currency":"USDT","policy":"otpdesk"})",
              R"({"name":"t","currency":"USD","policy":["otpdesk"]})",
              R"({"name":"t","currency":"USD","policy":"otpdesk","test_mode":"true"})",
              R"({"name":"t","currency":"USD","policy":"otpdesk","test_mode":1})",
              R"({"name":"t","currency":"USD","policy":"otpdesk","policy_config":5})",
              R"({"currency":"USD","policy":"otpdesk"})"}},
            {"admin.keys.create",
             {R"({"role":1})", R"({"role":"operator"})", R"({"role":"Service"})", R"({"role":"service","label":5})",
              R"({"role":null})", "{}"}},
            {"admin.tenants.rebind",
             {R"({"policy":1})", R"({"policy":["otpdesk"]})", R"({"policy":""})", R"({"policy":null})", "{}",
              R"({"policy":"otpdesk","policy_config":5})", R"({"policy":"otpdesk","policy_config":""})"}},
            // A reload whose paths are not strings; a path that is a string but names no file is
            // the swap's own refusal (tests/hotswap), not a bad body.
            {"admin.plugins.reload",
             {R"({"file":1})", R"({"file":["x.so"]})", R"({"file":""})", R"({"config":true})", R"({"config":""})"}},
        };
    }
};

TEST_F(BoundariesBadBody, MalformedJsonIs400OnEveryPostRoute) {
    for (const http::RouteSpec* route : post_routes()) {
        const std::string real = real_body(*route).value_or("{}");
        for (const std::string& body :
             {std::string("{"), real.substr(0, real.size() - 1), std::string(R"({"a":)"), std::string(R"({"a":1,})"),
              std::string("{'a':1}"), std::string(R"({"a" 1})"), std::string(R"({"a":1}})"), std::string("{} {}"),
              real + " x", std::string(R"({"a":tru})"), std::string(R"({"a":"open})"), std::string(R"({"a":[1,2})"),
              std::string("{\"a\":\"\0\"}", 8)}) {
            EXPECT_TRUE(is_problem(post(*route, body), 400, "malformed_json")) << route_label(*route) << " <- " << body;
        }
    }
    EXPECT_EQ(state(), before_);
}

// Text that is not JSON at all is malformed JSON, whatever its first character: a form body sent
// as JSON by mistake is not "a JSON value other than an object".
TEST_F(BoundariesBadBody, TextThatIsNotJsonIs400WhateverItStartsWith) {
    for (const http::RouteSpec* route : post_routes()) {
        for (const char* body : {"nope", "amount_minor=100", "<amount_minor>100</amount_minor>", "hello world"}) {
            EXPECT_TRUE(is_problem(post(*route, body), 400, "malformed_json")) << route_label(*route) << " <- " << body;
        }
    }
    EXPECT_EQ(state(), before_);
}

TEST_F(BoundariesBadBody, AnythingButAnObjectAtTheTopIs422OnEveryPostRoute) {
    for (const http::RouteSpec* route : post_routes()) {
        const std::string real = real_body(*route).value_or("{}");
        for (const std::string& body : {std::string("[]"), "[" + real + "]", std::string(R"("{}")"), std::string("1"),
                                        std::string("null"), std::string("true")}) {
            EXPECT_TRUE(is_problem(post(*route, body), 422, "validation_failed"))
                << route_label(*route) << " <- " << body;
        }
    }
    EXPECT_EQ(state(), before_);
}

TEST_F(BoundariesBadBody, WrongTypesAndValuesAre422OnEveryPostRoute) {
    const auto bodies = wrong_types();
    for (const http::RouteSpec* route : post_routes()) {
        const auto found = bodies.find(std::string(route->name));
        ASSERT_NE(found, bodies.end()) << route_label(*route) << ": no wrong bodies written for it here";
        for (const std::string& body : found->second) {
            EXPECT_TRUE(is_problem(post(*route, body), 422, "validation_failed"))
                << route_label(*route) << " <- " << body;
        }
    }
    EXPECT_EQ(state(), before_);
}

// DESIGN §4: money is an integer count of minor units, JSON included. Every other spelling of an
// amount is refused, however a parser would have read it.
TEST_F(BoundariesBadBody, AnAmountIsOnlyAJsonIntegerFrom1To10e15) {
    const http::RouteSpec* deposit = nullptr;
    for (const http::RouteSpec* route : post_routes()) {
        if (route->name == "accounts.deposit") deposit = route;
    }
    ASSERT_NE(deposit, nullptr);
    for (const char* amount : {"1.5",
                               "150.0",
                               "1e2",
                               "1E2",
                               "1.0e2",
                               "150e0",
                               "15e+1",
                               "1500e-1",
                               "-150",
                               "0",
                               "-0",
                               "0.0",
                               "\"150\"",
                               "true",
                               "false",
                               "null",
                               "[150]",
                               "{\"minor\":150}",
                               "1000000000000001",
                               "9223372036854775807",
                               "9223372036854775808",
                               "-9223372036854775809",
                               "18446744073709551616",
                               "100000000000000000000000000"}) {
        const std::string body = std::string(R"({"amount_minor":)") + amount + "}";
        EXPECT_TRUE(is_problem(post(*deposit, body), 422, "validation_failed")) << body;
    }
    // JSON, but beyond what the parser reads (RFC 8259 §9 allows it that limit): refused either way.
    const Response huge = post(*deposit, R"({"amount_minor":1e400})");
    EXPECT_TRUE(is_problem(huge, 422, "validation_failed") || is_problem(huge, 400, "malformed_json"));
    // Not JSON numbers at all: not read as 150 by a lenient parser either.
    for (const char* amount : {"+150", "0150", ".5", "150.", "0x96", "1_000", "Infinity", "NaN", "1e"}) {
        const std::string body = std::string(R"({"amount_minor":)") + amount + "}";
        EXPECT_TRUE(is_problem(post(*deposit, body), 400, "malformed_json")) << body;
    }
    EXPECT_EQ(state(), before_) << "no balance moved";
}

// A token made of digits and signs that is no number is malformed JSON, not "an integer outside
// the 64-bit range" (which would send a client looking for a too-large amount).
TEST_F(BoundariesBadBody, MalformedNumbersAre400NotOutOfRangeIntegers) {
    for (const http::RouteSpec* route : post_routes()) {
        if (route->name != "accounts.deposit") continue;
        for (const char* amount : {"-", "--1", "1-2", "12+3", "-+1", "2-"}) {
            const std::string body = std::string(R"({"amount_minor":)") + amount + "}";
            EXPECT_TRUE(is_problem(post(*route, body), 400, "malformed_json")) << body;
        }
    }
    EXPECT_EQ(state(), before_) << "no balance moved";
}

TEST_F(BoundariesBadBody, UnknownDuplicateAndEscapedMembersAre422OnEveryPostRoute) {
    for (const http::RouteSpec* route : post_routes()) {
        const std::string real = real_body(*route).value_or("{}");
        const std::string head = real.substr(0, real.size() - 1) + (real == "{}" ? "" : ",");
        std::vector<std::string> bodies{head + R"("unexpected":1})", head + R"("unexpected":null})", head + R"("":1})",
                                        head + R"("id":"x"})", head + R"("tenant_id":"x"})"};
        const std::size_t first_quote = real.find('"');
        if (first_quote != std::string::npos) {
            const std::string member = real.substr(first_quote + 1, real.find('"', first_quote + 1) - first_quote - 1);
            const std::string value = real.substr(real.find(':') + 1, real.find_first_of(",}") - real.find(':') - 1);
            // The same member twice, one in another case, one spelled with an escape.
            bodies.push_back(head + "\"" + member + "\":" + value + "}");
            std::string upper = member;
            upper[0] = static_cast<char>(upper[0] - 'a' + 'A');
            bodies.push_back("{\"" + upper + "\":" + value + "}");
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(member[0]));
            bodies.push_back("{\"" + std::string(escape) + member.substr(1) + "\":" + value + "}");
        }
        for (const std::string& body : bodies) {
            EXPECT_TRUE(is_problem(post(*route, body), 422, "validation_failed"))
                << route_label(*route) << " <- " << body;
        }
    }
    EXPECT_EQ(state(), before_);
}

TEST_F(BoundariesBadBody, BodiesOver64KiBAre413OnEveryPostRoute) {
    for (const http::RouteSpec* route : post_routes()) {
        const std::string real = real_body(*route).value_or("{}");
        for (const std::size_t size :
             {body_bytes_max + 1, body_bytes_max + 2, std::size_t{100} * 1024, std::size_t{1024} * 1024}) {
            const std::string body = padded(real, size);
            for (const bool chunked : {false, true}) {
                const std::string what = route_label(*route) + " with " + std::to_string(size) + " bytes " +
                                         (chunked ? "chunked" : "and a Content-Length");
                try {
                    EXPECT_TRUE(is_problem(post(*route, body, chunked), 413, "payload_too_large")) << what;
                } catch (const std::exception& e) {
                    ADD_FAILURE() << what << ": no answer: " << e.what();
                }
            }
        }
    }
    EXPECT_EQ(state(), before_);
    EXPECT_EQ(http().get("/livez").status, 200);
}

// The other side of the bound: exactly 64 KiB is read and handled (here: a deposit to an account
// that does not exist, so that nothing moves).
TEST_F(BoundariesBadBody, ABodyOfExactly64KiBIsRead) {
    RawRequest request;
    request.method = "POST";
    request.target = "/v1/accounts/nothing_here/deposits";
    request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", fresh_key()}};
    request.body = padded(R"({"amount_minor":100})", body_bytes_max);
    ASSERT_EQ(request.body->size(), body_bytes_max);
    EXPECT_TRUE(is_problem(send(request, "Bearer " + api().keys().service), 404, "account_not_found"));
    request.chunked = true;
    request.headers[1].second = fresh_key();
    EXPECT_TRUE(is_problem(send(request, "Bearer " + api().keys().service), 404, "account_not_found"));
    EXPECT_EQ(state(), before_);
}

TEST_F(BoundariesBadBody, ContentTypesOtherThanJsonAre415OnEveryPostRoute) {
    for (const http::RouteSpec* route : post_routes()) {
        for (const std::optional<std::string>& type :
             {std::optional<std::string>(), std::optional<std::string>(""), std::optional<std::string>("text/plain"),
              std::optional<std::string>("application/x-www-form-urlencoded"),
              std::optional<std::string>("multipart/form-data; boundary=x"), std::optional<std::string>("text/json"),
              std::optional<std::string>("application/problem+json"), std::optional<std::string>("application/jsonp"),
              std::optional<std::string>("application/json; charset=iso-8859-1"),
              std::optional<std::string>("application/json; charset=utf-16"),
              std::optional<std::string>("application/json, text/plain"), std::optional<std::string>("*/*")}) {
            auto request = real_request(*route);
            ASSERT_TRUE(request);
            request->headers.erase(request->headers.begin());  // Content-Type: application/json
            if (type) request->headers.emplace_back("Content-Type", *type);
            EXPECT_TRUE(is_problem(send(*request, "Bearer " + allowed_key(*route)), 415, "unsupported_media_type"))
                << route_label(*route) << " with Content-Type " << type.value_or("(none)");
        }
    }
    EXPECT_EQ(state(), before_);
}

// Media types are case-insensitive and a charset of utf-8 is JSON's own (RFC 8259 §8.1).
TEST_F(BoundariesBadBody, JsonIsJsonInAnyCaseAndWithItsOwnCharset) {
    for (const char* type : {"Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8",
                             "APPLICATION/JSON; Charset=\"utf-8\""}) {
        RawRequest request;
        request.method = "POST";
        request.target = "/v1/accounts/nothing_here/deposits";
        request.headers = {{"Content-Type", type}, {"Idempotency-Key", fresh_key()}};
        request.body = R"({"amount_minor":100})";
        EXPECT_TRUE(is_problem(send(request, "Bearer " + api().keys().service), 404, "account_not_found")) << type;
    }
    EXPECT_EQ(state(), before_);
}

TEST_F(BoundariesBadBody, NestingDeeperThanAllowedIs422AndTheHostStaysUp) {
    auto nested = [](std::size_t depth, bool closed) {
        return R"({"a":)" + repeat('[', depth - 1) + "1" + (closed ? repeat(']', depth - 1) + "}" : "");
    };
    for (const http::RouteSpec* route : post_routes()) {
        for (const std::string& body : {std::string(R"({"a":{"b":{"c":{"d":{}}}}})"), nested(5, true), nested(64, true),
                                        nested(30000, true), nested(60000, false)}) {
            EXPECT_TRUE(is_problem(post(*route, body), 422, "validation_failed"))
                << route_label(*route) << " <- " << body.substr(0, 80);
        }
    }
    EXPECT_EQ(http().get("/livez").status, 200);
    EXPECT_EQ(state(), before_);
}

}  // namespace
}  // namespace billing::integration
