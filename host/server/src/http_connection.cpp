#include "http_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

#include <algorithm>
#include <ctime>
#include <sstream>

#include "billing/http/problem.hpp"

namespace billing::server {

namespace {

namespace pc = http::problem_code;
using std::chrono::milliseconds;

// After a refusal the connection is shut for sending and what the client still sends is read and
// dropped for a moment: closing with unread bytes sends a TCP reset, which can destroy the answer
// in the client's receive buffer before it reads it (RFC 9112 §9.6).
constexpr milliseconds linger_time{2000};
constexpr std::size_t linger_bytes_max = std::size_t{1} << 20;

// RFC 9110 §5.6.7 IMF-fixdate.
std::string http_date() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[40];
    const std::size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return std::string(text, n);
}

// A header value as written: our own values never hold CR or LF, but an answer must not be
// splittable whatever a handler put in it.
std::string field_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) out += (c == '\r' || c == '\n') ? ' ' : c;
    return out;
}

}  // namespace

void ClientSlot::release() {
    if (state_ == nullptr) return;
    std::lock_guard lock(state_->clients_mutex);
    if (refusal_) {
        --state_->refusing;
    } else {
        auto found = state_->per_client.find(client_);
        if (found != state_->per_client.end() && --found->second == 0) state_->per_client.erase(found);
        --state_->open;
    }
    state_ = nullptr;
}

HttpServer::State::Admission HttpServer::State::admit(const std::string& client) {
    std::lock_guard lock(clients_mutex);
    const auto refuse = [this](Admission why) {
        if (refusing >= refusing_max) return Admission::drop;
        ++refusing;
        return why;
    };
    if (open >= config.connections_max) return refuse(Admission::server_full);
    const auto found = per_client.find(client);
    if (found != per_client.end() && found->second >= config.connections_per_client_max) {
        return refuse(Admission::client_full);
    }
    ++per_client[client];
    ++open;
    return Admission::admitted;
}

Connection::Connection(HttpServer::State& state, boost::asio::ip::tcp::socket socket, ClientSlot slot)
    : state_(state), socket_(std::move(socket)), timer_(state.io), slot_(std::move(slot)) {}

void Connection::start() {
    state_.connections.emplace(this, weak_from_this());
    boost::system::error_code ignored;
    socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    wait_request();
}

void Connection::refuse(const ApiResponse& answer) {
    state_.connections.emplace(this, weak_from_this());
    write_answer(answer, true);
}

void Connection::close_if_idle() {
    if (phase_ == Phase::idle) close_now();
}

void Connection::close_now() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::closed;
    disarm();
    boost::system::error_code ignored;
    socket_.close(ignored);
    state_.connections.erase(this);
    if (counted_in_flight_) {
        counted_in_flight_ = false;
        --state_.in_flight;
    }
    slot_.release();
}

void Connection::arm(milliseconds after) {
    const std::uint64_t generation = ++deadline_generation_;
    timed_out_ = false;
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this(), generation](const boost::system::error_code& error) {
        if (error || generation != self->deadline_generation_ || self->phase_ == Phase::closed) return;
        self->timed_out_ = true;
        boost::system::error_code ignored;
        self->socket_.cancel(ignored);
    });
}

void Connection::disarm() {
    ++deadline_generation_;
    timer_.cancel();
}

template <typename Then>
void Connection::read_some(Then then) {
    socket_.async_read_some(boost::asio::buffer(chunk_),
                            [self = shared_from_this(), then](const boost::system::error_code& error, std::size_t n) {
                                if (self->phase_ == Phase::closed) return;
                                if (!error) self->buffer_.append(self->chunk_.data(), n);
                                then(*self, error);
                            });
}

// Between requests: the connection holds no worker and waits at most keep_alive_timeout_s for the
// next request's first byte. Bytes a client pipelined are served without waiting.
void Connection::wait_request() {
    phase_ = Phase::idle;
    head_.reset();
    body_.clear();
    consumed_ = 0;
    head_scanned_ = 0;
    // An idle connection keeps no large buffer because it once carried a large body.
    constexpr std::size_t idle_capacity_max = 32 * 1024;
    if (buffer_.empty() && buffer_.capacity() > idle_capacity_max) std::string().swap(buffer_);
    if (body_.capacity() > idle_capacity_max) std::string().swap(body_);
    if (!buffer_.empty()) return begin_head();
    if (state_.stopping.load()) return close_now();
    arm(std::chrono::seconds(state_.config.keep_alive_timeout_s));
    read_some([](Connection& self, const boost::system::error_code& error) {
        if (self.timed_out_ || error) return self.close_now();  // idle past its time, or gone
        self.begin_head();
    });
}

// The head has head_timeout_ms in all from its first byte: the deadline does not move as bytes
// trickle in, so a client sending one byte a second cannot keep a connection for ever.
void Connection::begin_head() {
    phase_ = Phase::head;
    arm(milliseconds(state_.config.head_timeout_ms));
    continue_head();
}

void Connection::continue_head() {
    // RFC 9112 §2.2: empty lines before a request line (some clients send one after a body) are
    // ignored.
    const std::size_t leading = std::min(buffer_.find_first_not_of("\r\n"), buffer_.size());
    if (leading > 0) {
        buffer_.erase(0, leading);
        head_scanned_ = 0;
    }
    // Only what arrived since the last look is scanned (from three bytes back, where an empty
    // line may have begun), so a head trickled a byte at a time costs linear time.
    const std::size_t from = head_scanned_ > 3 ? head_scanned_ - 3 : 0;
    std::size_t end = http::find_head_end(std::string_view(buffer_).substr(from));
    if (end != std::string::npos) end += from;
    head_scanned_ = buffer_.size();
    if (end != std::string::npos) {
        if (end > state_.config.head_bytes_max) {
            return refuse_now(pc::header_too_large, "the request head is longer than " +
                                                        std::to_string(state_.config.head_bytes_max) + " bytes");
        }
        disarm();
        return on_head(end);
    }
    if (buffer_.size() > state_.config.head_bytes_max) {
        return refuse_now(pc::header_too_large,
                          "the request head is longer than " + std::to_string(state_.config.head_bytes_max) + " bytes");
    }
    read_some([](Connection& self, const boost::system::error_code& error) {
        if (self.timed_out_) {
            return self.refuse_now(pc::request_timeout, "the request head did not arrive within " +
                                                            std::to_string(self.state_.config.head_timeout_ms) + " ms");
        }
        if (error) return self.close_now();
        self.continue_head();
    });
}

void Connection::on_head(std::size_t head_end) {
    http::RequestHeadLimits limits;
    limits.header_fields_max = state_.config.header_fields_max;
    auto parsed = http::parse_request_head(std::string_view(buffer_).substr(0, head_end), limits);
    if (auto* refusal = std::get_if<http::HeadRefusal>(&parsed)) return refuse_now(refusal->code, refusal->detail);
    head_ = std::move(std::get<http::RequestHead>(parsed));
    consumed_ = head_end;
    // From a complete head on, stop() gives the request its grace to be answered.
    counted_in_flight_ = true;
    ++state_.in_flight;
    const std::size_t body_max = state_.config.body_bytes_max;
    switch (head_->framing) {
        case http::BodyFraming::none: return dispatch();
        case http::BodyFraming::content_length:
            // Refused before a byte of it is read, and instead of "100 Continue": the client
            // learns at once, and nobody uploads a body that will be thrown away.
            if (head_->content_length > body_max) {
                return refuse_now(pc::payload_too_large,
                                  "the body is longer than " + std::to_string(body_max) + " bytes");
            }
            return send_continue_then(&Connection::read_fixed_body);
        case http::BodyFraming::chunked:
            head_->parser->body_limit(body_max);
            head_->parser->eager(true);
            return send_continue_then(&Connection::read_chunked_body);
    }
}

void Connection::send_continue_then(void (Connection::*next)()) {
    phase_ = Phase::body;
    arm(milliseconds(state_.config.body_timeout_ms));
    if (!head_->expect_continue) return (this->*next)();
    static const std::string continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
    boost::asio::async_write(socket_, boost::asio::buffer(continue_line),
                             [self = shared_from_this(), next](const boost::system::error_code& error, std::size_t) {
                                 if (self->phase_ == Phase::closed) return;
                                 if (error || self->timed_out_) return self->close_now();
                                 ((*self).*next)();
                             });
}

// The body has body_timeout_ms in all from the end of its head, like the head.
void Connection::read_fixed_body() {
    const std::size_t needed = consumed_ + static_cast<std::size_t>(head_->content_length);
    if (buffer_.size() >= needed) {
        disarm();
        body_.assign(buffer_, consumed_, static_cast<std::size_t>(head_->content_length));
        consumed_ = needed;
        return dispatch();
    }
    read_more_body(&Connection::read_fixed_body);
}

void Connection::read_chunked_body() {
    http::BodyParser& parser = *head_->parser;
    // Beast 1.74 asserts that it is given at least 5 bytes when it resumes a last chunk it could
    // not finish (basic_parser.ipp, parse_chunk_header; fixed upstream after 1.74): "0" CRLF CRLF.
    // What is left of an unfinished chunked body is never shorter, so waiting for 5 bytes cannot
    // stall a client that sends its whole body.
    constexpr std::size_t resume_bytes_min = 5;
    while (buffer_.size() - consumed_ >= resume_bytes_min && !parser.is_done()) {
        boost::beast::error_code error;
        const std::size_t n =
            parser.put(boost::asio::buffer(buffer_.data() + consumed_, buffer_.size() - consumed_), error);
        consumed_ += n;
        if (error == boost::beast::http::error::need_more) break;
        if (error) {
            const http::HeadRefusal refusal = http::body_refusal(error);
            return refuse_now(refusal.code,
                              refusal.code == pc::payload_too_large
                                  ? "the body is longer than " + std::to_string(state_.config.body_bytes_max) + " bytes"
                                  : refusal.detail);
        }
        if (n == 0) break;
    }
    if (parser.is_done()) {
        disarm();
        body_ = std::move(parser.get().body());
        return dispatch();
    }
    // A chunk-size line or trailer that never ends must not grow the buffer without bound.
    if (buffer_.size() - consumed_ > state_.config.head_bytes_max + chunk_.size()) {
        return refuse_now(pc::bad_chunked_body, "a chunk header is too long");
    }
    buffer_.erase(0, consumed_);
    consumed_ = 0;
    read_more_body(&Connection::read_chunked_body);
}

// More of a body: past its deadline the answer is 408; a client gone ends the connection.
void Connection::read_more_body(void (Connection::*next)()) {
    read_some([next](Connection& self, const boost::system::error_code& error) {
        if (self.timed_out_) {
            return self.refuse_now(pc::request_timeout, "the request body did not arrive within " +
                                                            std::to_string(self.state_.config.body_timeout_ms) + " ms");
        }
        if (error) return self.close_now();
        (self.*next)();
    });
}

// A complete request goes to a worker; the connection waits for its answer holding no thread.
void Connection::dispatch() {
    phase_ = Phase::running;
    buffer_.erase(0, consumed_);
    consumed_ = 0;
    if (state_.waiting.load() >= static_cast<int>(state_.config.queue_max)) {
        ApiResponse busy = state_.api.transport_problem(pc::overloaded, "too many requests are waiting; retry shortly");
        busy.headers.emplace_back("Retry-After", "1");
        return write_answer(busy, true);
    }
    ++state_.waiting;

    auto request = std::make_shared<ApiRequest>();
    auto body = std::make_shared<std::istringstream>(std::move(body_));
    request->method = head_->method;
    request->target = head_->target;
    // The fields as the head gave them: a chunked body's trailer fields are never merged in
    // (RFC 9110 §6.5.1), although Beast adds them to the same list.
    request->authorization = head_->authorization;
    request->content_type = head_->content_type;
    request->idempotency_key = head_->idempotency_key;
    request->request_id = head_->request_id;
    if (head_->framing != http::BodyFraming::none) request->body = body.get();
    request->content_length =
        head_->framing == http::BodyFraming::content_length ? static_cast<std::int64_t>(head_->content_length) : -1;
    boost::asio::post(state_.workers, [self = shared_from_this(), request, body]() {
        --self->state_.waiting;
        ApiResponse answer;
        try {
            answer = self->state_.api.handle(*request);
        } catch (...) {
            // Api::handle answers every failure itself; this is the last line of defence.
            answer = self->state_.api.transport_problem(pc::internal, "");
        }
        boost::asio::post(self->state_.io, [self, answer = std::move(answer)]() mutable {
            if (self->phase_ == Phase::closed) return;
            self->write_answer(answer, false);
        });
    });
}

void Connection::write_answer(const ApiResponse& answer, bool must_close) {
    const bool keep_alive = !must_close && head_.has_value() && head_->keep_alive && !state_.stopping.load();
    phase_ = Phase::writing;
    const auto status = static_cast<unsigned>(answer.status);
    const auto reason = boost::beast::http::obsolete_reason(boost::beast::http::int_to_status(status));
    out_.clear();
    out_ += "HTTP/1.1 " + std::to_string(status) + " ";
    out_.append(reason.data(), reason.size());
    out_ += "\r\nServer: billing-host\r\nDate: " + http_date();
    out_ += "\r\nContent-Type: " + field_value(answer.content_type);
    out_ += "\r\nContent-Length: " + std::to_string(answer.body.size());
    for (const auto& [name, value] : answer.headers) out_ += "\r\n" + field_value(name) + ": " + field_value(value);
    if (!keep_alive) {
        out_ += "\r\nConnection: close";
    } else if (head_->version == 10) {
        out_ += "\r\nConnection: keep-alive";
    }
    out_ += "\r\n\r\n";
    // RFC 9110 §9.3.2: an answer to HEAD has no content (its Content-Length still says how long
    // it would be); a keep-alive client would take it for the start of its next answer.
    if (!(head_.has_value() && head_->method == "HEAD")) out_ += answer.body;
    arm(milliseconds(state_.config.body_timeout_ms));
    boost::asio::async_write(
        socket_, boost::asio::buffer(out_),
        [self = shared_from_this(), keep_alive](const boost::system::error_code& error, std::size_t) {
            if (self->phase_ == Phase::closed) return;
            if (self->counted_in_flight_) {
                self->counted_in_flight_ = false;
                --self->state_.in_flight;
            }
            if (error || self->timed_out_) return self->close_now();
            if (keep_alive) return self->wait_request();
            self->linger_close();
        });
}

void Connection::refuse_now(std::string_view code, std::string detail) {
    write_answer(state_.api.transport_problem(code, std::move(detail)), true);
}

void Connection::linger_close() {
    phase_ = Phase::closing;
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    arm(linger_time);
    drain();
}

void Connection::drain() {
    read_some([](Connection& self, const boost::system::error_code& error) {
        self.drained_ += self.buffer_.size();
        self.buffer_.clear();
        if (error || self.timed_out_ || self.drained_ > linger_bytes_max) return self.close_now();
        self.drain();
    });
}

}  // namespace billing::server
