#include "billing/http/problem.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <set>

#include "utf8_check.hpp"


namespace billing::http {
namespace {

TEST(Problem, BodyHasTheStandardMembersThenCodeInOrder) {
    const Problem problem = make_problem(problem_code::not_found, "no route /v1/nothing");
    EXPECT_EQ(problem.status, 404);
    EXPECT_EQ(problem_body(problem),
              R"({"type":"tag:billing-host,2025:problem:not_found","title":"No such resource","status":404,)"
              R"("detail":"no route /v1/nothing","code":"not_found"})");
}

TEST(Problem, ExtraMembersFollowInTheirOrderWithTheirTypes) {
    Problem problem = make_problem(problem_code::validation_failed, "x");
    problem.extra.emplace_back("field", std::string("amount_minor"));
    problem.extra.emplace_back("limit", std::int64_t{100});
    problem.extra.emplace_back("retryable", false);
    EXPECT_EQ(problem_body(problem),
              R"({"type":"tag:billing-host,2025:problem:validation_failed","title":"The request is invalid",)"
              R"("status":422,"detail":"x","code":"validation_failed","field":"amount_minor","limit":100,)"
              R"("retryable":false})");
}

TEST(Problem, DetailIsEscapedAsJson) {
    const Problem problem = make_problem(problem_code::bad_request, "a \"quoted\"\nline\\");
    EXPECT_NE(problem_body(problem).find(R"("detail":"a \"quoted\"\nline\\")"), std::string::npos);
}

TEST(Problem, CatalogueHasTheStatusesTheApiPromises) {
    const std::vector<std::pair<std::string_view, int>> expected{
        {"unauthorized", 401},
        {"forbidden", 403},
        {"not_found", 404},
        {"method_not_allowed", 405},
        {"conflict", 409},
        {"idempotency_in_flight", 409},
        {"payload_too_large", 413},
        {"unsupported_media_type", 415},
        {"validation_failed", 422},
        {"idempotency_key_reused", 422},
        {"storage_unavailable", 503},
        {"internal", 500},
        {"malformed_json", 400},
        {"idempotency_key_required", 400},
        {"shutting_down", 503},
        {"bad_request", 400},
        // Answered by the HTTP transport (request_head.hpp, the server's connections).
        {"bad_request_line", 400},
        {"bad_header", 400},
        {"missing_host", 400},
        {"bad_content_length", 400},
        {"bad_transfer_encoding", 400},
        {"bad_chunked_body", 400},
        {"request_timeout", 408},
        {"expectation_failed", 417},
        {"too_many_connections", 429},
        {"header_too_large", 431},
        {"transfer_coding_not_implemented", 501},
        {"overloaded", 503},
        {"http_version_not_supported", 505}};
    for (const auto& [code, status] : expected) {
        const ProblemKind* kind = find_problem_kind(code);
        ASSERT_NE(kind, nullptr) << code;
        EXPECT_EQ(kind->status, status) << code;
    }
    EXPECT_EQ(problem_catalogue().size(), expected.size());
}

TEST(Problem, CatalogueCodesAreUniqueAndInStatusOrder) {
    std::set<std::string_view> codes;
    int previous = 0;
    for (const ProblemKind& kind : problem_catalogue()) {
        EXPECT_TRUE(codes.insert(kind.code).second) << kind.code;
        EXPECT_GE(kind.status, previous) << kind.code;
        previous = kind.status;
    }
}

TEST(Problem, PolicyDenialIs409WithAvailableAt) {
    const Problem problem = policy_denial("cancel_too_early", "from 00:02", UtcMs{120'000});
    EXPECT_EQ(problem_body(problem),
              R"({"type":"tag:billing-host,2025:problem:cancel_too_early",)"
              R"("title":"Not allowed by the tenant's policy now","status":409,"detail":"from 00:02",)"
              R"("code":"cancel_too_early","available_at":"1970-01-01T00:02:00.000Z"})");
}

TEST(Problem, PolicyDenialWithoutTimeHasNoAvailableAt) {
    const Problem problem = policy_denial("code_already_delivered", "delivered", std::nullopt);
    EXPECT_EQ(problem.status, 409);
    EXPECT_TRUE(problem.extra.empty());
}

struct ErrorCase {
    std::string error_code;
    int status;
    std::string problem_code;
};

TEST(Problem, EngineAndStorageErrorsMapToFixedStatuses) {
    const std::vector<ErrorCase> cases{
        {"account_not_found", 404, "account_not_found"},
        {"order_not_found", 404, "order_not_found"},
        {"tenant_not_found", 404, "tenant_not_found"},
        {"insufficient_funds", 409, "insufficient_funds"},
        {"duplicate_external_ref", 409, "duplicate_external_ref"},
        {"policy_mismatch", 409, "policy_mismatch"},
        {"invalid_request", 422, "validation_failed"},
        {"idempotency_key_reused", 422, "idempotency_key_reused"},
        {"policy_unavailable", 503, "policy_unavailable"},
        {"policy_failed", 500, "policy_failed"},
        {"policy_violation", 500, "policy_violation"},
        {"ledger_violation", 500, "internal"},
        {"storage_conflict", 503, "storage_unavailable"},
        {"storage_busy", 503, "storage_unavailable"},
        {"storage_unavailable", 503, "storage_unavailable"},
        {"storage_constraint", 500, "internal"},
        {"storage_failed", 500, "internal"},
        {"payload_too_large", 413, "payload_too_large"},
    };
    for (const ErrorCase& c : cases) {
        const Problem problem = problem_for_error(Error{c.error_code, "msg"});
        EXPECT_EQ(problem.status, c.status) << c.error_code;
        EXPECT_EQ(problem.code, c.problem_code) << c.error_code;
    }
}

TEST(Problem, PolicyRefusalCodesPassThroughAs422) {
    const Problem problem = problem_for_error(Error{"unknown_product", "otpdesk sells no product \"x\""});
    EXPECT_EQ(problem.status, 422);
    EXPECT_EQ(problem.code, "unknown_product");
    EXPECT_EQ(problem.detail, "otpdesk sells no product \"x\"");
}

TEST(Problem, ServerFaultsNeverCarryTheInternalMessage) {
    for (const char* code :
         {"storage_failed", "ledger_violation", "storage_unavailable", "policy_failed", "internal"}) {
        const Problem problem = problem_for_error(Error{code, "SELECT * FROM secrets near /var/db"});
        EXPECT_EQ(problem_body(problem).find("SELECT"), std::string::npos) << code;
    }
}

TEST(Problem, MalformedCodesBecomeInternal) {
    for (const char* code : {"", "Has Spaces", "UPPER", "x\"y"}) {
        const Problem problem = problem_for_error(Error{code, "leak"});
        EXPECT_EQ(problem.status, 500) << code;
        EXPECT_EQ(problem.code, "internal") << code;
        EXPECT_EQ(problem.detail.find("leak"), std::string::npos);
    }
    EXPECT_EQ(problem_for_error(Error{std::string(65, 'a'), ""}).code, "internal");
    EXPECT_EQ(problem_for_error(Error{std::string(64, 'a'), ""}).status, 422);
}

std::string detail_read_back(const std::string& body) {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("detail");
}

TEST(Problem, BodyIsValidJsonAndUtf8WhateverBytesTheDetailHolds) {
    // A lone continuation byte, a truncated 3-byte sequence, an overlong '/', a surrogate, bytes
    // never valid in UTF-8, and a NUL and an escape character (control characters).
    const std::string raw = std::string("a") + "\x80" + "b" + "\xE2\x82" + "c" + "\xC0\xAF" + "d" + "\xED\xA0\x80" +
                            "e" + "\xFF\xFE" + "f" + std::string(1, '\0') + "\x1b[31mg\xE2\x82\xAC";
    ASSERT_FALSE(billing::testing::is_valid_utf8(raw));
    Problem problem = make_problem(problem_code::validation_failed, "unknown field " + raw);
    const std::string body = problem_body(problem);
    EXPECT_TRUE(billing::testing::is_valid_utf8(body)) << body;
    EXPECT_EQ(body.find('\x1b'), std::string::npos) << "control characters are escaped";
    EXPECT_EQ(detail_read_back(body), "unknown field a\uFFFDb\uFFFDc\uFFFD\uFFFDd\uFFFD\uFFFD\uFFFDe\uFFFD\uFFFDf" +
                                          std::string(1, '\0') + "\x1b[31mg\u20AC");
}

TEST(Problem, RequestIdFollowsCode) {
    Problem problem = policy_denial("cancel_too_early", "wait", std::nullopt);
    problem.request_id = "req_1";
    EXPECT_EQ(
        problem_body(problem),
        R"({"type":"tag:billing-host,2025:problem:cancel_too_early","title":"Not allowed by the tenant's policy now",)"
        R"("status":409,"detail":"wait","code":"cancel_too_early","request_id":"req_1"})");
}

TEST(Problem, AStoredBodyReadsBackAsTheSameProblem) {
    Problem problem = policy_denial("cancel_too_early", "from 2 min \"after\" purchase", UtcMs{1'700'000'000'006});
    problem.request_id = "req_original";
    problem.extra.emplace_back("attempt", std::int64_t{-3});
    problem.extra.emplace_back("retryable", true);
    const std::string body = problem_body(problem);
    const std::optional<Problem> read = parse_problem_body(body);
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(problem_body(*read), body);
    EXPECT_EQ(read->request_id, "req_original");

    // A body stored before problems carried a request_id reads back without one.
    problem.request_id.clear();
    EXPECT_EQ(parse_problem_body(problem_body(problem))->request_id, "");
    for (const char* not_a_problem : {"", "[]", "{}", R"({"title":"t","status":"409","detail":"d","code":"c"})",
                                      R"({"title":"t","status":409,"detail":"d","code":"c","x":[1]})",
                                      R"({"title":"t","status":99999999999,"detail":"d","code":"c"})",
                                      R"({"title":"t","status":18446744073709551615,"detail":"d","code":"c"})",
                                      R"({"title":"t","status":true,"detail":"d","code":"c"})"}) {
        EXPECT_FALSE(parse_problem_body(not_a_problem).has_value()) << not_a_problem;
    }
}

}  // namespace
}  // namespace billing::http
