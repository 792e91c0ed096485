// The HTTP floor of billing_http_bench: a Poco HTTPServer whose one handler reads the request
// body and answers 200 with a tiny JSON body ({"id":"ord_trivial"}), with the billing host's
// server parameters (keep-alive, thread and queue bounds). Driven by the same client code as
// the host, it shows what HTTP alone costs on this machine: client and server threads, sockets,
// Poco's parsing, and nothing else.
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <cstdint>
#include <memory>

namespace billing::bench {

class TrivialServer {
public:
    TrivialServer();  // listens on 127.0.0.1, an ephemeral port
    ~TrivialServer();
    TrivialServer(const TrivialServer&) = delete;
    TrivialServer& operator=(const TrivialServer&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }

private:
    Poco::ThreadPool pool_;  // its own, like the host's: the default pool is capped at 16 threads
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::uint16_t port_ = 0;
};

}  // namespace billing::bench
