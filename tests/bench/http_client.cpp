#include "http_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <exception>

namespace billing::bench {

namespace {

// Generous: a request waits behind the single SQLite writer, and a loaded 2-core machine may
// stall for seconds; a timeout still turns a hung server into a failed run, not a hung one.
const Poco::Timespan request_timeout(60, 0);

}  // namespace

HttpClient::HttpClient(std::uint16_t port, std::string bearer_key)
    : session_("127.0.0.1", port), authorization_("Bearer " + std::move(bearer_key)) {
    session_.setKeepAlive(true);
    session_.setTimeout(request_timeout);
}

HttpReply HttpClient::post(const std::string& path, const std::string& body,
                           const std::optional<std::string>& idempotency_key) {
    return send(Poco::Net::HTTPRequest::HTTP_POST, path, &body, idempotency_key);
}

HttpReply HttpClient::get(const std::string& path) {
    return send(Poco::Net::HTTPRequest::HTTP_GET, path, nullptr, std::nullopt);
}

HttpReply HttpClient::send(const std::string& method, const std::string& path, const std::string* body,
                           const std::optional<std::string>& idempotency_key) {
    HttpReply reply;
    try {
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        request.set("Authorization", authorization_);
        if (idempotency_key) request.set("Idempotency-Key", *idempotency_key);
        if (body != nullptr) {
            request.setContentType("application/json");
            request.setContentLength64(static_cast<Poco::Int64>(body->size()));
        }
        std::ostream& out = session_.sendRequest(request);
        if (body != nullptr) out.write(body->data(), static_cast<std::streamsize>(body->size()));
        Poco::Net::HTTPResponse response;
        std::istream& in = session_.receiveResponse(response);
        Poco::StreamCopier::copyToString(in, reply.body);
        reply.status = static_cast<int>(response.getStatus());
    } catch (const Poco::Exception& e) {
        // The session reconnects on its next request; this one is a failure to report.
        session_.reset();
        reply.status = 0;
        reply.body = "no answer: " + e.displayText();
    } catch (const std::exception& e) {
        session_.reset();
        reply.status = 0;
        reply.body = std::string("no answer: ") + e.what();
    }
    return reply;
}

std::string json_string_member(std::string_view json, std::string_view name) {
    std::string needle(1, '"');  // appended, not "..." + string: GCC 12 warns falsely (-Wrestrict) on that
    needle.append(name).append("\":\"");
    const auto at = json.find(needle);
    if (at == std::string_view::npos) return {};
    const auto start = at + needle.size();
    const auto end = json.find('"', start);
    if (end == std::string_view::npos) return {};
    return std::string(json.substr(start, end - start));
}

}  // namespace billing::bench
