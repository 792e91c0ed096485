// An HTTP/1.1 client on one keep-alive connection (Poco::Net::HTTPClientSession): one request
// at a time, so one client per thread. Responses come back whole: status, headers (names in
// lower case), body, and the body parsed when it is JSON.
#pragma once

#include <Poco/Net/HTTPClientSession.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "support/json.hpp"

namespace billing::integration {

struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string method;  // of the request, for failure messages
    std::string target;

    // The body as JSON; throws when it is not.
    [[nodiscard]] Json json() const { return Json::parse(body); }
    [[nodiscard]] std::string header(const std::string& lower_case_name) const;
    [[nodiscard]] bool has_header(const std::string& lower_case_name) const {
        return headers.count(lower_case_name) != 0;
    }
    // The problem's "code" member ("" if the body has none).
    [[nodiscard]] std::string problem_code() const;
    // "POST /v1/orders -> 409 {...}", for failure messages.
    [[nodiscard]] std::string describe() const;
    // Throws std::runtime_error (describe()) unless the status is expected; returns *this.
    const Response& expect(int expected_status) const;
};

struct RequestOptions {
    std::string bearer;                          // "" sends no Authorization header
    std::optional<std::string> idempotency_key;  // the Idempotency-Key header
    std::string request_id;                      // X-Request-Id, "" for none
};

class HttpClient {
public:
    HttpClient(const std::string& host, std::uint16_t port);

    // Sends the request and reads the whole response. Network failures (refused, reset, a
    // timeout) throw Poco::Exception; the next request then opens a new connection.
    Response get(const std::string& target, const RequestOptions& options = {});
    Response post(const std::string& target, const std::string& json_body, const RequestOptions& options = {});
    Response del(const std::string& target, const RequestOptions& options = {});
    Response send(const std::string& method, const std::string& target, const std::optional<std::string>& json_body,
                  const RequestOptions& options);

private:
    Poco::Net::HTTPClientSession session_;
};

}  // namespace billing::integration
