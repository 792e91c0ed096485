// What support needs to explain an answer, over real HTTP against a real host: every problem
// carries its request_id, the same as its X-Request-Id header; a 500's log line holds its cause
// (the rule a policy's decision broke, the policy's name@version, the order), which the client
// never sees; a request id shaped like a secret is replaced, never logged; and a problem's body is
// valid JSON and UTF-8 whatever bytes the request held.
//
// The host serves OTPDesk and a deliberately faulty voucher policy (the conformance kit's
// refund_above_charge fixture: an allowed cancel refunds one minor unit more than escrow holds),
// which the host's decision checks must refuse with a 500 policy_violation.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <thread>

#include "support/billing_api.hpp"
#include "support/host_process.hpp"
#include "support/host_test.hpp"
#include "support/http_client.hpp"
#include "utf8_check.hpp"

namespace billing::integration {
namespace {

constexpr const char* voucher_policy = "voucher_fixture";
constexpr std::int64_t voucher_price_minor = 150;  // tests/conformance/fixtures/voucher.toml

std::string toml_quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The response is a problem whose request_id member is its X-Request-Id header.
::testing::AssertionResult carries_its_request_id(const Response& response) {
    const std::string header = response.header("x-request-id");
    if (header.empty()) return ::testing::AssertionFailure() << "no X-Request-Id on " << response.describe();
    if (response.header("content-type") != "application/problem+json") {
        return ::testing::AssertionFailure() << "not a problem: " << response.describe();
    }
    const Json body = response.json();
    if (!body.has("request_id") || body["request_id"].str() != header) {
        return ::testing::AssertionFailure()
               << "request_id is not the header's " << header << ": " << response.describe();
    }
    return ::testing::AssertionSuccess();
}

// A host serving the faulty voucher policy beside OTPDesk; extra_toml is appended.
HostOptions voucher_host(const std::string& extra_toml = "") {
    HostOptions options;
    options.extra_toml = extra_toml + "\n[[plugins.policy]]\nname = \"" + std::string(voucher_policy) +
                         "\"\nfile = " + toml_quoted(BILLING_VOUCHER_FAULTY_PLUGIN) +
                         "\nconfig = " + toml_quoted(BILLING_VOUCHER_CONFIG) + "\n";
    return options;
}

// A test-mode tenant of the faulty voucher policy, with a service key.
TenantKeys voucher_tenant(OperatorApi& op) {
    const Response created = op.create_tenant(R"({"name":"voucher","currency":"USD","policy":")" +
                                              std::string(voucher_policy) + R"(","test_mode":true})");
    created.expect(201);
    TenantKeys keys;
    keys.id = created.json()["id"].str();
    keys.service = op.create_key(keys.id, "service").expect(201).json()["key"].str();
    return keys;
}

// A voucher bought and cancelled with request_id: the faulty policy's cancel refunds more than
// escrow holds, which the host refuses with a 500 policy_violation.
struct Violation {
    std::string account_id;
    std::string order_id;
    Response answer;
};

Violation provoke_violation(HttpClient& http, TenantApi& api, const std::string& request_id) {
    Violation v;
    v.account_id = api.new_account(1000);
    const Response bought =
        api.buy(R"({"account_id":")" + v.account_id + R"(","product":"code","attributes":{"service":"wa"}})");
    bought.expect(201);
    v.order_id = bought.json()["id"].str();
    v.answer = http.post("/v1/orders/" + v.order_id + "/cancel", "{}", {api.keys().service, fresh_key(), request_id});
    return v;
}

// The first line of the host's stdout that holds marker, once the host has written it (5 s at most).
std::string log_line_with(const HostProcess& host, const std::string& marker) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        std::istringstream lines(host.stdout_text());
        for (std::string line; std::getline(lines, line);) {
            if (line.find(marker) != std::string::npos) return line;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("no log line with " + marker + " in:\n" + host.stdout_text());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

class ErrorTraceTest : public ::testing::Test {
public:
    static void SetUpTestSuite() {
        start_error_.clear();
        try {
            host_ = HostProcess::start(voucher_host());
        } catch (const std::exception& e) {
            host_.reset();
            start_error_ = e.what();  // failed in SetUp: a SetUpTestSuite failure reads as skipped
        }
    }
    static void TearDownTestSuite() {
        if (!host_) return;
        expect_clean_stop_and_audit(*host_);
        host_.reset();
    }

protected:
    void SetUp() override {
        ASSERT_TRUE(start_error_.empty()) << "the host did not start: " << start_error_;
        http_ = std::make_unique<HttpClient>("127.0.0.1", host_->port());
        operator_ = std::make_unique<OperatorApi>(*http_, host_->operator_key());
    }
    void TearDown() override {
        if (!operator_ || !host_ || !host_->running()) return;
        try {
            operator_->require_audit_clean();
        } catch (const std::exception& e) {
            ADD_FAILURE() << e.what();
        }
    }

    TenantKeys voucher_tenant() { return integration::voucher_tenant(*operator_); }

    // The host's JSON log line for request_id.
    static Json log_line_of(const std::string& request_id) {
        return Json::parse(log_line_with(*host_, "\"request_id\":\"" + request_id + "\""));
    }

    static std::unique_ptr<HostProcess> host_;
    static std::string start_error_;
    std::unique_ptr<HttpClient> http_;
    std::unique_ptr<OperatorApi> operator_;
};

std::unique_ptr<HostProcess> ErrorTraceTest::host_;
std::string ErrorTraceTest::start_error_;

TEST_F(ErrorTraceTest, APolicyViolationIs500AndItsLogLineNamesTheRuleThePolicyAndTheOrder) {
    TenantApi api(*http_, voucher_tenant());
    const std::string request_id = "trace-violation-1";
    const Violation violation = provoke_violation(*http_, api, request_id);
    const std::string& order_id = violation.order_id;
    const Response& cancel = violation.answer;
    ASSERT_EQ(cancel.status, 500) << cancel.describe();
    EXPECT_EQ(cancel.problem_code(), "policy_violation");
    EXPECT_EQ(cancel.header("x-request-id"), request_id);
    EXPECT_TRUE(carries_its_request_id(cancel));
    // The client gets the fixed detail: neither the rule nor the order nor the policy's version.
    EXPECT_EQ(cancel.json()["detail"].str(), "the server could not complete the request; it is logged");
    for (const std::string& hidden : {std::string("refund_exceeds_held"), order_id, std::string("1.0.0")}) {
        EXPECT_EQ(cancel.body.find(hidden), std::string::npos) << hidden << " in " << cancel.body;
    }

    const Json line = log_line_of(request_id);
    EXPECT_EQ(line["status"].i64(), 500);
    EXPECT_EQ(line["level"].str(), "error");
    EXPECT_EQ(line["error"].str(), "policy_violation");
    const std::string cause = line["cause"].str();
    EXPECT_NE(cause.find("refund_exceeds_held"), std::string::npos) << cause;
    EXPECT_NE(cause.find("voucher_fixture@1.0.0"), std::string::npos) << cause;
    EXPECT_NE(cause.find(order_id), std::string::npos) << cause;

    // Nothing was written: the order is still active, the money still held.
    EXPECT_EQ(api.order(order_id).expect(200).json()["state"].str(), "active");
    EXPECT_EQ(api.balance(violation.account_id), 1000 - voucher_price_minor);
}

TEST_F(ErrorTraceTest, AnAnswerBelow500HasNoCauseInItsLogLine) {
    TenantApi api(*http_, voucher_tenant());
    const Response missing = http_->get("/v1/orders/ord_missing", {api.keys().service, std::nullopt, "trace-404"});
    ASSERT_EQ(missing.status, 404) << missing.describe();
    EXPECT_TRUE(carries_its_request_id(missing));
    EXPECT_FALSE(log_line_of("trace-404").has("cause"));
}

TEST_F(ErrorTraceTest, EveryKindOfProblemCarriesItsRequestId) {
    TenantApi api(*http_, voucher_tenant());
    const std::string key = api.keys().service;
    const std::string account = api.new_account(0);
    std::vector<Response> problems{
        http_->get("/v1/nowhere"),                                                // 404 no route
        http_->del("/v1/orders", {key, std::nullopt, "client-id-405"}),           // 405
        http_->get("/v1/orders?bogus=1", {key, std::nullopt, ""}),                // 400 query
        http_->get("/v1/orders", {"bk_svc_notakey_000", std::nullopt, ""}),       // 401
        http_->get("/admin/tenants", {key, std::nullopt, ""}),                    // 403
        http_->post("/v1/accounts", "nope", {key, std::nullopt, ""}),             // 400 malformed_json
        http_->post("/v1/accounts", "{}", {key, std::nullopt, "client-id-422"}),  // 422
        http_->post("/v1/accounts/" + account + "/deposits", R"({"amount_minor":1})",
                    {key, std::nullopt, ""}),  // 400 key
        http_->post("/v1/orders",
                    R"({"account_id":")" + account + R"(","product":"code","attributes":{"service":"wa"}})",
                    {key, fresh_key(), ""}),  // 409 insufficient_funds
    };
    for (const Response& problem : problems) {
        EXPECT_GE(problem.status, 400) << problem.describe();
        EXPECT_TRUE(carries_its_request_id(problem));
    }
    EXPECT_EQ(problems[1].header("x-request-id"), "client-id-405");
    EXPECT_EQ(problems[6].header("x-request-id"), "client-id-422");
}

TEST_F(ErrorTraceTest, RequestIdsShapedLikeSecretsAreReplacedAndNeverLogged) {
    TenantApi api(*http_, voucher_tenant());
    const std::string key = api.keys().service;
    const std::regex fresh("req_[0-9a-f]{32}");
    const std::vector<std::string> secrets{
        key.substr(3),                                     // the key without its bk_ prefix
        key.substr(key.rfind('_') + 1),                    // its secret part alone
        "Bearer_" + key.substr(key.rfind('_') + 1, 8),     // an Authorization value
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2lnbmF0dXJl",  // a JWT's shape
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",                // another service's key
    };
    for (const std::string& secret : secrets) {
        const Response answer = http_->get("/v1/orders/ord_missing", {key, std::nullopt, secret});
        EXPECT_EQ(answer.status, 404) << answer.describe();
        EXPECT_TRUE(std::regex_match(answer.header("x-request-id"), fresh))
            << secret << " -> " << answer.header("x-request-id");
        EXPECT_TRUE(carries_its_request_id(answer));
    }
    // A plain id and a UUID are kept.
    for (const std::string& id : {std::string("checkout-42"), std::string("9b1f0d4e-2c7a-4f3e-8a61-5d2c0b7e9f13")}) {
        EXPECT_EQ(http_->get("/livez", {"", std::nullopt, id}).header("x-request-id"), id);
    }
    (void)log_line_of("9b1f0d4e-2c7a-4f3e-8a61-5d2c0b7e9f13");  // the log has caught up
    const std::string out = host_->stdout_text();
    for (const std::string& secret : secrets) {
        EXPECT_EQ(out.find(secret), std::string::npos) << secret << " is in the log";
    }
}

TEST_F(ErrorTraceTest, AProblemIsValidJsonAndUtf8WhateverBytesTheRequestHeld) {
    // The query is read before the key: its unknown parameter's name, percent-decoded to bytes
    // that are not UTF-8 (and a control character), is named in the detail.
    const Response answer = http_->get("/v1/orders?%FF%FE%C0%AF%1B=1", {"", std::nullopt, "trace-bytes"});
    ASSERT_EQ(answer.status, 400) << answer.describe();
    EXPECT_EQ(answer.problem_code(), "bad_request");
    EXPECT_TRUE(billing::testing::is_valid_utf8(answer.body)) << answer.body;
    EXPECT_TRUE(carries_its_request_id(answer));  // parses as JSON
    EXPECT_EQ(answer.json()["detail"].str(),
              "unknown query parameter \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\x1b");
    EXPECT_EQ(answer.body.find('\x1b'), std::string::npos) << "a control character is escaped";
    EXPECT_EQ(log_line_of("trace-bytes")["error"].str(), "bad_request");
}

// The "text" log format, for people, carries the cause too, quoted and escaped as a JSON string.
TEST(ErrorTraceText, ATextLogLineHoldsTheCauseQuoted) {
    auto host = HostProcess::start(voucher_host("[log]\nformat = \"text\"\n"));
    {
        HttpClient http("127.0.0.1", host->port());
        OperatorApi op(http, host->operator_key());
        TenantApi api(http, voucher_tenant(op));
        const Violation violation = provoke_violation(http, api, "trace-text-1");
        ASSERT_EQ(violation.answer.status, 500) << violation.answer.describe();
        const std::string line = log_line_with(*host, "request_id=trace-text-1");
        EXPECT_NE(line.find(" 500 "), std::string::npos) << line;
        EXPECT_NE(line.find(" error=policy_violation cause=\"policy_violation: voucher_fixture@1.0.0 on order " +
                            violation.order_id + ": refund_exceeds_held"),
                  std::string::npos)
            << line;
    }
    expect_clean_stop_and_audit(*host);
}

}  // namespace
}  // namespace billing::integration
