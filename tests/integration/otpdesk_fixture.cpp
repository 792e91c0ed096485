#include "otpdesk_fixture.hpp"

#include <algorithm>

namespace billing::integration {

void OtpDeskTest::SetUp() {
    HostTest::SetUp();
    if (HasFatalFailure()) return;
    account_ = api().new_account(deposit_minor);
}

std::vector<TransferRow> OtpDeskTest::transfers() {
    const Json list = api().transfers(account_).expect(200).json();
    EXPECT_FALSE(list["has_more"].boolean());
    std::vector<TransferRow> rows;
    const Json data = list["data"];
    for (std::size_t i = 0; i < data.size(); ++i) {
        const Json t = data[i];
        rows.push_back({t["kind"].str(), t["direction"].str(), t["amount_minor"].i64(),
                        t["order_id"].is_null() ? std::string() : t["order_id"].str()});
    }
    // The list is newest first.
    std::reverse(rows.begin(), rows.end());
    return rows;
}

::testing::AssertionResult cancel_allowed(const Json& order) {
    const Json cancel = order["cancel"];
    if (!cancel["allowed"].boolean()) return ::testing::AssertionFailure() << "cancel preview: " << cancel.dump();
    if (cancel.has("code")) return ::testing::AssertionFailure() << "an allowed cancel with a code: " << cancel.dump();
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult cancel_denied(const Json& order, const std::string& code,
                                         std::optional<UtcMs> available_at) {
    const Json cancel = order["cancel"];
    if (cancel["allowed"].boolean())
        return ::testing::AssertionFailure() << "cancel preview allowed: " << cancel.dump();
    if (cancel["code"].str() != code) {
        return ::testing::AssertionFailure() << "cancel preview code is not " << code << ": " << cancel.dump();
    }
    const bool has_time = cancel.has("available_at") && !cancel["available_at"].is_null();
    if (available_at.has_value() != has_time ||
        (has_time && cancel["available_at"].str() != format_rfc3339(*available_at))) {
        return ::testing::AssertionFailure()
               << "cancel preview available_at is not " << (available_at ? format_rfc3339(*available_at) : "null")
               << ": " << cancel.dump();
    }
    return ::testing::AssertionSuccess();
}

std::string case_body(const std::string& member, const std::string& value, std::optional<std::int64_t> amount_minor,
                      const std::string& note) {
    std::string body = "{" + json_quote(member) + ":" + json_quote(value);
    if (amount_minor) body += R"(,"amount_minor":)" + std::to_string(*amount_minor);
    if (!note.empty()) body += R"(,"note":)" + json_quote(note);
    return body + "}";
}

::testing::AssertionResult refused(const Response& response, const std::string& code) {
    if (response.status != 422 || response.problem_code() != code) {
        return ::testing::AssertionFailure() << "expected 422 " << code << ": " << response.describe();
    }
    if (response.header("content-type") != "application/problem+json") {
        return ::testing::AssertionFailure() << "content type " << response.header("content-type");
    }
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult denied(const Response& response, const std::string& code,
                                  std::optional<UtcMs> available_at) {
    if (response.status != 409 || response.problem_code() != code) {
        return ::testing::AssertionFailure() << "expected 409 " << code << ": " << response.describe();
    }
    if (response.header("content-type") != "application/problem+json") {
        return ::testing::AssertionFailure() << "content type " << response.header("content-type");
    }
    const Json body = response.json();
    if (available_at.has_value() != body.has("available_at")) {
        return ::testing::AssertionFailure()
               << "available_at expected " << (available_at ? format_rfc3339(*available_at) : "absent") << ": "
               << response.body;
    }
    if (available_at && body["available_at"].str() != format_rfc3339(*available_at)) {
        return ::testing::AssertionFailure()
               << "available_at is not " << format_rfc3339(*available_at) << ": " << response.body;
    }
    return ::testing::AssertionSuccess();
}

}  // namespace billing::integration
