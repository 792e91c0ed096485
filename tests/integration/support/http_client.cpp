#include "support/http_client.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <cctype>
#include <sstream>
#include <stdexcept>

namespace billing::integration {

namespace {

// Shorter than the host's keep_alive_timeout_s (host_process.hpp), so the client never
// reuses a connection the host is about to close as idle.
constexpr long client_keep_alive_s = 1;
constexpr long io_timeout_s = 60;

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

std::string Response::header(const std::string& lower_case_name) const {
    const auto found = headers.find(lower_case_name);
    return found == headers.end() ? std::string() : found->second;
}

std::string Response::problem_code() const {
    try {
        const Json problem = json();
        return problem.is_object() && problem.has("code") && !problem["code"].is_null() ? problem["code"].str()
                                                                                        : std::string();
    } catch (const std::exception&) {
        return {};
    }
}

std::string Response::describe() const {
    return method + " " + target + " -> " + std::to_string(status) + " " + body.substr(0, 600);
}

const Response& Response::expect(int expected_status) const {
    if (status != expected_status) {
        throw std::runtime_error("expected " + std::to_string(expected_status) + ": " + describe());
    }
    return *this;
}

HttpClient::HttpClient(const std::string& host, std::uint16_t port) : session_(host, port) {
    session_.setKeepAlive(true);
    session_.setKeepAliveTimeout(Poco::Timespan(client_keep_alive_s, 0));
    session_.setTimeout(Poco::Timespan(io_timeout_s, 0));
}

Response HttpClient::get(const std::string& target, const RequestOptions& options) {
    return send(Poco::Net::HTTPRequest::HTTP_GET, target, std::nullopt, options);
}

Response HttpClient::post(const std::string& target, const std::string& json_body, const RequestOptions& options) {
    return send(Poco::Net::HTTPRequest::HTTP_POST, target, json_body, options);
}

Response HttpClient::del(const std::string& target, const RequestOptions& options) {
    return send(Poco::Net::HTTPRequest::HTTP_DELETE, target, std::nullopt, options);
}

Response HttpClient::send(const std::string& method, const std::string& target,
                          const std::optional<std::string>& json_body, const RequestOptions& options) {
    Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    if (!options.bearer.empty()) request.set("Authorization", "Bearer " + options.bearer);
    if (options.idempotency_key) request.set("Idempotency-Key", *options.idempotency_key);
    if (!options.request_id.empty()) request.set("X-Request-Id", options.request_id);
    if (json_body) {
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(json_body->size()));
    }
    std::ostream& out = session_.sendRequest(request);
    if (json_body) out << *json_body;

    Poco::Net::HTTPResponse answer;
    std::istream& in = session_.receiveResponse(answer);
    Response response;
    response.method = method;
    response.target = target;
    response.status = static_cast<int>(answer.getStatus());
    for (const auto& [name, value] : answer) response.headers[lower(name)] = value;
    std::ostringstream body;
    Poco::StreamCopier::copyStream(in, body);
    response.body = body.str();
    return response;
}

}  // namespace billing::integration
