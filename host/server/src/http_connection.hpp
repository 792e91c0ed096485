// One client connection of the HttpServer, and the state the server shares with its connections.
// Everything here runs on the server's one I/O thread, except the worker that runs Api::handle
// for a complete request (it touches only the request it was given, then posts the answer back).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "billing/config/host_config.hpp"
#include "billing/http/request_head.hpp"
#include "billing/server/api.hpp"
#include "http_server.hpp"

namespace billing::server {

class Connection;

// A connection's place in what admit() counts; given back when the connection closes. A served
// connection counts in all and for its address; a refused one (answered 429 or 503, then closed)
// counts among the refusals, which are bounded too: each holds a descriptor while it lingers.
class ClientSlot {
public:
    ClientSlot() = default;
    ClientSlot(HttpServer::State& state, std::string client) : state_(&state), client_(std::move(client)) {}
    static ClientSlot refusal(HttpServer::State& state) {
        ClientSlot slot;
        slot.state_ = &state;
        slot.refusal_ = true;
        return slot;
    }
    ClientSlot(ClientSlot&& other) noexcept
        : state_(other.state_), client_(std::move(other.client_)), refusal_(other.refusal_) {
        other.state_ = nullptr;
    }
    ClientSlot& operator=(ClientSlot&&) = delete;
    ClientSlot(const ClientSlot&) = delete;
    ClientSlot& operator=(const ClientSlot&) = delete;
    ~ClientSlot() { release(); }
    void release();

private:
    HttpServer::State* state_ = nullptr;
    std::string client_;
    bool refusal_ = false;
};

struct HttpServer::State {
    State(Api& api_, const config::ServerConfig& config_) : api(api_), config(config_), workers(config_.threads_max) {}

    Api& api;
    const config::ServerConfig config;

    // Connections being refused (answered and lingering) at most; past it a new connection that
    // would be refused is closed at once, without an answer.
    static constexpr std::uint32_t refusing_max = 256;

    // What admit() counts, under clients_mutex: connections being served, in all and per address,
    // and connections being refused.
    std::mutex clients_mutex;
    std::unordered_map<std::string, std::uint32_t> per_client;
    std::uint32_t open = 0;
    std::uint32_t refusing = 0;

    std::atomic<bool> stopping{false};
    std::atomic<int> in_flight{0};  // requests from a complete head until their answer is written
    std::atomic<int> waiting{0};    // complete requests queued for a worker

    // Connections being served, for stop(); I/O thread only.
    std::map<const Connection*, std::weak_ptr<Connection>> connections;

    // Declared after everything a connection touches when it is destroyed: destroying io
    // destroys the handlers still queued on it, and the connections they hold.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor{io};
    boost::asio::steady_timer accept_retry{io};
    boost::asio::thread_pool workers;
    std::thread io_thread;

    enum class Admission { admitted, client_full, server_full, drop };
    // Counts a new connection from client, unless a cap is reached: then it counts a refusal,
    // unless refusing_max are being refused already (drop).
    Admission admit(const std::string& client);
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(HttpServer::State& state, boost::asio::ip::tcp::socket socket, ClientSlot slot);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();                            // serve requests until the client or a rule ends it
    void refuse(const ApiResponse& answer);  // answer once (a cap was reached) and close
    void close_if_idle();                    // stopping: a connection between requests closes now
    void close_now();

private:
    enum class Phase { idle, head, body, running, writing, closing, closed };

    void wait_request();
    void begin_head();
    void continue_head();
    void on_head(std::size_t head_end);
    void send_continue_then(void (Connection::*next)());
    void read_fixed_body();
    void read_chunked_body();
    void read_more_body(void (Connection::*next)());
    void dispatch();
    void write_answer(const ApiResponse& answer, bool must_close);
    void refuse_now(std::string_view code, std::string detail);
    void linger_close();
    void drain();

    // Reads what the client sends next into buffer_, then calls then (on the I/O thread).
    template <typename Then>
    void read_some(Then then);
    // Starts this phase's deadline: when it passes, pending reads and writes are cancelled and
    // timed_out_ is set for their handlers to see.
    void arm(std::chrono::milliseconds after);
    void disarm();

    HttpServer::State& state_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    ClientSlot slot_;
    Phase phase_ = Phase::idle;
    std::uint64_t deadline_generation_ = 0;
    bool timed_out_ = false;
    bool counted_in_flight_ = false;
    std::size_t head_scanned_ = 0;  // of buffer_, bytes find_head_end has seen without an end

    std::array<char, 16 * 1024> chunk_{};
    std::string buffer_;        // bytes received and not yet consumed by a request
    std::size_t consumed_ = 0;  // of buffer_, by the request being read
    std::optional<http::RequestHead> head_;
    std::string body_;
    std::string out_;          // the answer being written
    std::size_t drained_ = 0;  // bytes read and dropped while lingering
};

}  // namespace billing::server
