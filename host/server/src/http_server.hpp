// The HTTP/1.1 transport carrying the Api (RFC 9112), on Boost.Asio with Boost.Beast's parser.
//
// One I/O thread owns every socket: it accepts, reads request heads and bodies, writes answers
// and runs every connection's deadline. Only a complete request goes to one of threads_max
// workers, which runs Api::handle and hands the answer back. So a connection that is idle, slow
// to send its head or body, or slow to read its answer holds no worker: a few hundred trickling
// clients cannot starve the rest (Poco's HTTPServer, used before, held a thread per connection
// and restarted its timeout with every byte).
//
// What the transport refuses by itself (each a problem+json answer, then the connection closes):
// a malformed head (request_head.hpp), a head over head_bytes_max or header_fields_max (431), a
// head not complete head_timeout_ms after its first byte or a body not complete body_timeout_ms
// after its head (408), a body over body_bytes_max (413, before any of it is read, and instead of
// "100 Continue"), more than connections_per_client_max connections from one address (429) or
// connections_max in all, or more than queue_max requests waiting for a worker (503). Refused
// connections are bounded too (State::refusing_max); past that a flood is closed unanswered.
#pragma once

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

    [[nodiscard]] std::uint16_t port() const;

    // Stops accepting and closes idle connections; requests whose head has arrived are answered
    // (with Connection: close) for up to grace; then every connection is closed, requests still
    // queued for a worker are dropped unanswered, and the threads are joined.
    void stop(std::chrono::milliseconds grace);

    struct State;  // shared with the connections (http_connection.hpp)

private:
    std::shared_ptr<State> state_;
    bool stopped_ = false;
};

}  // namespace billing::server
