#include "http_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <thread>

#include "billing/http/problem.hpp"
#include "http_connection.hpp"

namespace billing::server {

namespace {

namespace pc = http::problem_code;
using boost::asio::ip::tcp;

// Each connection is a file descriptor: make room for connections_max of them (and the host's
// own files and database connections) if the hard limit allows, so that the cap, not EMFILE,
// is what a flood of connections meets.
void raise_file_limit(std::uint32_t connections_max) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    const rlim_t wanted = static_cast<rlim_t>(connections_max) + HttpServer::State::refusing_max + 256;
    if (limit.rlim_cur >= wanted) return;
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
}

void accept_next(HttpServer::State& state);

void on_accept(HttpServer::State& state, const boost::system::error_code& error, tcp::socket socket) {
    if (!state.acceptor.is_open() || state.stopping.load()) return;
    if (error) {
        // Out of descriptors (EMFILE) or a connection reset while queued: try again shortly
        // rather than spin on the error.
        state.accept_retry.expires_after(std::chrono::milliseconds(50));
        state.accept_retry.async_wait([&state](const boost::system::error_code& e) {
            if (!e) accept_next(state);
        });
        return;
    }
    boost::system::error_code ignored;
    const std::string client = socket.remote_endpoint(ignored).address().to_string();
    switch (state.admit(client)) {
        case HttpServer::State::Admission::admitted: {
            auto connection = std::make_shared<Connection>(state, std::move(socket), ClientSlot(state, client));
            connection->start();
            break;
        }
        case HttpServer::State::Admission::client_full: {
            auto connection = std::make_shared<Connection>(state, std::move(socket), ClientSlot::refusal(state));
            connection->refuse(state.api.transport_problem(
                pc::too_many_connections, "this address has " +
                                              std::to_string(state.config.connections_per_client_max) +
                                              " connections open already; reuse them (keep-alive) or close some"));
            break;
        }
        case HttpServer::State::Admission::server_full: {
            ApiResponse busy = state.api.transport_problem(pc::overloaded, "the server has too many connections open");
            busy.headers.emplace_back("Retry-After", "1");
            auto connection = std::make_shared<Connection>(state, std::move(socket), ClientSlot::refusal(state));
            connection->refuse(busy);
            break;
        }
        case HttpServer::State::Admission::drop:
            // A flood: answering every refused connection would take a descriptor each for its
            // lingering close. Past State::refusing_max they are closed at once (the socket's
            // destructor), as a full listen queue would.
            break;
    }
    accept_next(state);
}

void accept_next(HttpServer::State& state) {
    state.acceptor.async_accept([&state](const boost::system::error_code& error, tcp::socket socket) {
        on_accept(state, error, std::move(socket));
    });
}

}  // namespace

HttpServer::HttpServer(Api& api, const config::ServerConfig& server) : state_(std::make_shared<State>(api, server)) {
    raise_file_limit(server.connections_max);
    const tcp::endpoint endpoint(boost::asio::ip::make_address(server.host), server.port);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen(static_cast<int>(std::min<std::uint32_t>(server.queue_max, 4096)));
    accept_next(*state_);
    state_->io_thread = std::thread([state = state_.get()] {
        // The acceptor keeps the context busy; the guard keeps it running through stop()'s
        // last posted work until io.stop().
        auto guard = boost::asio::make_work_guard(state->io);
        state->io.run();
    });
}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

std::uint16_t HttpServer::port() const { return state_->acceptor.local_endpoint().port(); }

void HttpServer::stop(std::chrono::milliseconds grace) {
    if (stopped_) return;
    stopped_ = true;
    State& state = *state_;
    // No new connections; connections between requests close; the rest finish the request they
    // are in, answered with Connection: close.
    state.stopping = true;
    boost::asio::post(state.io, [&state] {
        boost::system::error_code ignored;
        state.acceptor.close(ignored);
        state.accept_retry.cancel();
        std::vector<std::shared_ptr<Connection>> open;
        for (auto& [key, weak] : state.connections) {
            if (auto connection = weak.lock()) open.push_back(std::move(connection));
        }
        for (auto& connection : open) connection->close_if_idle();
    });
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (state.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // What is left is requests past the grace or still arriving: close them all.
    boost::asio::post(state.io, [&state] {
        std::vector<std::shared_ptr<Connection>> open;
        for (auto& [key, weak] : state.connections) {
            if (auto connection = weak.lock()) open.push_back(std::move(connection));
        }
        for (auto& connection : open) connection->close_now();
        state.io.stop();
    });
    if (state.io_thread.joinable()) state.io_thread.join();
    // Requests still queued for a worker are dropped unanswered (their connections are closed:
    // nothing of them was acknowledged); a worker still in Api::handle finishes before the Api it
    // uses can go, and its answer is dropped with the stopped context.
    state.workers.stop();
    state.workers.join();
}

}  // namespace billing::server
