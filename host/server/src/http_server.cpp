#include "http_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <algorithm>
#include <thread>

namespace billing::server {

namespace {

class InFlight {
public:
    explicit InFlight(std::atomic<int>& count) : count_(count) { ++count_; }
    ~InFlight() { --count_; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    std::atomic<int>& count_;
};

class Handler final : public Poco::Net::HTTPRequestHandler {
public:
    Handler(Api& api, std::atomic<int>& in_flight, const std::atomic<bool>& stopping, std::size_t drain_bytes_max)
        : api_(api), in_flight_(in_flight), stopping_(stopping), drain_bytes_max_(drain_bytes_max) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        const InFlight counted(in_flight_);
        ApiRequest in;
        in.method = request.getMethod();
        in.target = request.getURI();
        in.authorization = request.get("Authorization", "");
        in.content_type = request.get("Content-Type", "");
        if (request.has("Idempotency-Key")) in.idempotency_key = request.get("Idempotency-Key");
        in.request_id = request.get("X-Request-Id", "");
        // RFC 9112 §6.3: a request with neither Content-Length nor chunked encoding has no body.
        // (Poco would read such a body until the client closes, which it never does while it
        // waits for the answer.)
        const bool has_body = request.hasContentLength() || request.getChunkedTransferEncoding();
        in.body = has_body ? &request.stream() : nullptr;
        in.content_length = request.hasContentLength() ? request.getContentLength64() : -1;

        const ApiResponse out = api_.handle(in);

        // A body the API did not read (a refused request) must not be taken for the next
        // request on this connection: drain what is left, and close if too much is.
        if (has_body) {
            std::istream& rest = request.stream();
            rest.ignore(static_cast<std::streamsize>(drain_bytes_max_));
            if (!rest.eof()) response.setKeepAlive(false);
        }
        if (stopping_.load()) response.setKeepAlive(false);

        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
        response.setContentType(out.content_type);
        for (const auto& [name, value] : out.headers) response.set(name, value);
        response.setContentLength64(static_cast<Poco::Int64>(out.body.size()));
        response.sendBuffer(out.body.data(), out.body.size());
    }

private:
    Api& api_;
    std::atomic<int>& in_flight_;
    const std::atomic<bool>& stopping_;
    std::size_t drain_bytes_max_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Factory(Api& api, std::atomic<int>& in_flight, const std::atomic<bool>& stopping, std::size_t drain_bytes_max)
        : api_(api), in_flight_(in_flight), stopping_(stopping), drain_bytes_max_(drain_bytes_max) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(api_, in_flight_, stopping_, drain_bytes_max_);
    }

private:
    Api& api_;
    std::atomic<int>& in_flight_;
    const std::atomic<bool>& stopping_;
    std::size_t drain_bytes_max_;
};

}  // namespace

HttpServer::HttpServer(Api& api, const config::ServerConfig& server)
    : pool_(1, static_cast<int>(server.threads_max)) {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(server.host, server.port), true);
    socket.listen(static_cast<int>(server.queue_max));
    port_ = socket.address().port();
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(static_cast<int>(server.threads_max));
    params->setMaxQueued(static_cast<int>(server.queue_max));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(static_cast<long>(server.keep_alive_timeout_s), 0));
    params->setMaxKeepAliveRequests(0);  // unlimited
    params->setServerName("billing-host");
    // A refused body is read and dropped up to 1 MiB (more if bodies may be larger) before the
    // answer closes the connection: closing with unread bytes sends a TCP reset, and a client still
    // uploading may then lose the 413 (RFC 9112 §9.6). Beyond that, the reset is the lesser harm.
    const std::size_t drain_bytes_max = std::max<std::size_t>(server.body_bytes_max, std::size_t{1} << 20);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(api, in_flight_, stopping_, drain_bytes_max), pool_,
                                                      socket, params);
    server_->start();
}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

void HttpServer::stop(std::chrono::milliseconds grace) {
    if (stopped_) return;
    stopped_ = true;
    // No new connections; connections finish the request they are in and then close.
    stopping_ = true;
    server_->stopAll(false);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // What is left is idle keep-alive connections (or requests past the grace): close them.
    server_->stopAll(true);
    pool_.joinAll();
}

}  // namespace billing::server
