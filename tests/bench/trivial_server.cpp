#include "trivial_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>

#include <string_view>

#include "billing/config/host_config.hpp"

namespace billing::bench {

namespace {

constexpr std::string_view body = R"({"id":"ord_trivial"})";

// The host's defaults, so that both servers differ only in what their handler does.
const config::ServerConfig defaults;

class Handler final : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        Poco::NullOutputStream discard;
        Poco::StreamCopier::copyStream(request.stream(), discard);
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
        response.setContentType("application/json");
        response.setContentLength64(static_cast<Poco::Int64>(body.size()));
        response.sendBuffer(body.data(), body.size());
    }
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler;
    }
};

}  // namespace

TrivialServer::TrivialServer() : pool_(1, static_cast<int>(defaults.threads_max)) {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
    socket.listen(static_cast<int>(defaults.queue_max));
    port_ = socket.address().port();
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(static_cast<int>(defaults.threads_max));
    params->setMaxQueued(static_cast<int>(defaults.queue_max));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(static_cast<long>(defaults.keep_alive_timeout_s), 0));
    params->setMaxKeepAliveRequests(0);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory, pool_, socket, params);
    server_->start();
}

TrivialServer::~TrivialServer() {
    server_->stopAll(true);
    pool_.joinAll();
}

}  // namespace billing::bench
