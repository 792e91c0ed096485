// Poco's HTTPServer carrying the Api: each request becomes an ApiRequest, each ApiResponse is
// sent with its status, headers and body. Counts the requests being handled, so that shutdown
// knows when every received request has been answered.
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "billing/config/host_config.hpp"
#include "billing/server/api.hpp"

namespace billing::server {

class HttpServer {
public:
    // Binds server.host:server.port (0: an ephemeral port) and starts accepting.
    HttpServer(Api& api, const config::ServerConfig& server);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }

    // Stops accepting, waits up to grace for the requests being handled to be answered, then
    // closes every connection and joins the threads.
    void stop(std::chrono::milliseconds grace);

private:
    std::atomic<int> in_flight_{0};
    // Set by stop(): every answer from then on closes its connection, so that a keep-alive
    // client cannot keep the drain going with new requests.
    std::atomic<bool> stopping_{false};
    Poco::ThreadPool pool_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::uint16_t port_ = 0;
    bool stopped_ = false;
};

}  // namespace billing::server
