#include "problem_checks.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "utf8_check.hpp"

namespace billing::hostile {

namespace {

// The standard reason phrases (RFC 9110 §15), with the older names of 413 and 422 (RFC 7231's,
// which Boost.Beast 1.74 still writes, and RFC 2616's, which Poco writes): a client ignores the
// phrase (RFC 9112 §4), so any registered name of the status will do, but not the client's own
// bytes echoed back.
const std::map<int, std::set<std::string>>& reasons() {
    static const std::map<int, std::set<std::string>> table{
        {100, {"Continue"}},
        {200, {"OK"}},
        {201, {"Created"}},
        {400, {"Bad Request"}},
        {401, {"Unauthorized"}},
        {403, {"Forbidden"}},
        {404, {"Not Found"}},
        {405, {"Method Not Allowed"}},
        {408, {"Request Timeout"}},
        {409, {"Conflict"}},
        {413, {"Content Too Large", "Payload Too Large", "Request Entity Too Large"}},
        {415, {"Unsupported Media Type"}},
        {417, {"Expectation Failed"}},
        {422, {"Unprocessable Content", "Unprocessable Entity"}},
        {429, {"Too Many Requests"}},
        {431, {"Request Header Fields Too Large"}},
        {500, {"Internal Server Error"}},
        {501, {"Not Implemented"}},
        {503, {"Service Unavailable"}},
        {505, {"HTTP Version Not Supported"}},
    };
    return table;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The status line, Content-Type, JSON body and request id; status 0 accepts any 4xx.
::testing::AssertionResult check_problem(const RawResponse& answer, int status, std::string_view code) {
    if (answer.end != ReadEnd::answer) return ::testing::AssertionFailure() << "no answer: " << answer.describe();
    const bool status_ok = status == 0 ? (answer.status >= 400 && answer.status < 500) : answer.status == status;
    if (!status_ok) {
        return ::testing::AssertionFailure() << "expected status " << (status == 0 ? "4xx" : std::to_string(status))
                                             << ", got: " << answer.describe();
    }
    const auto known = reasons().find(answer.status);
    if (answer.version != "HTTP/1.1" || known == reasons().end() || known->second.count(answer.reason) == 0) {
        return ::testing::AssertionFailure() << "malformed status line \"" << answer.status_line << "\"";
    }
    const auto type = answer.header("Content-Type");
    if (!type || lower(*type).rfind("application/problem+json", 0) != 0) {
        return ::testing::AssertionFailure() << "Content-Type is not application/problem+json: " << answer.describe();
    }
    if (!billing::testing::is_valid_utf8(answer.body))
        return ::testing::AssertionFailure() << "the body is not UTF-8: " << answer.describe();
    Poco::JSON::Object::Ptr body;
    try {
        body = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure()
               << "the body is not a JSON object (" << e.what() << "): " << answer.describe();
    }
    for (const char* member : {"type", "title", "status", "detail", "code", "request_id"}) {
        if (!body->has(member))
            return ::testing::AssertionFailure() << "no \"" << member << "\": " << answer.describe();
    }
    if (body->getValue<int>("status") != answer.status) {
        return ::testing::AssertionFailure() << "the body's status differs from the status line: " << answer.describe();
    }
    if (!code.empty() && body->getValue<std::string>("code") != code) {
        return ::testing::AssertionFailure() << "expected code " << code << ", got: " << answer.describe();
    }
    const std::string request_id = body->getValue<std::string>("request_id");
    const auto header_id = answer.header("X-Request-Id");
    if (request_id.empty() || !header_id || *header_id != request_id) {
        return ::testing::AssertionFailure()
               << "request_id \"" << request_id << "\" is not the X-Request-Id: " << answer.describe();
    }
    return ::testing::AssertionSuccess();
}

}  // namespace

::testing::AssertionResult is_problem(const RawResponse& answer, int status, std::string_view code) {
    return check_problem(answer, status, code);
}

::testing::AssertionResult is_client_error_problem(const RawResponse& answer) { return check_problem(answer, 0, ""); }

::testing::AssertionResult is_transport_error(RawConnection& connection, const RawResponse& answer, int status,
                                              std::string_view code) {
    if (auto problem = check_problem(answer, status, code); !problem) return problem;
    const auto connection_field = answer.header("Connection");
    if (!connection_field || lower(*connection_field) != "close") {
        return ::testing::AssertionFailure() << "no Connection: close: " << answer.describe();
    }
    std::string extra;
    if (!connection.wait_closed(answer_timeout, &extra)) {
        return ::testing::AssertionFailure() << "the server kept the connection open after: " << answer.describe();
    }
    if (!extra.empty() || !connection.buffered().empty()) {
        return ::testing::AssertionFailure() << "bytes after the answer: " << connection.buffered().substr(0, 200);
    }
    return ::testing::AssertionSuccess();
}

}  // namespace billing::hostile
