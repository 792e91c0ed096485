#include "raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace billing::hostile {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return std::string(text);
}

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60'000));
}

// Parses "HTTP/1.1 400 Bad Request" and the field lines of a head (without its final CRLF).
bool parse_head(std::string_view head, RawResponse& out) {
    const auto line_end = head.find("\r\n");
    out.status_line = std::string(head.substr(0, line_end));
    const auto first_space = out.status_line.find(' ');
    if (first_space == std::string::npos) return false;
    out.version = out.status_line.substr(0, first_space);
    const auto second_space = out.status_line.find(' ', first_space + 1);
    const std::string code = out.status_line.substr(first_space + 1, second_space - first_space - 1);
    if (code.size() != 3 || !std::all_of(code.begin(), code.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return false;
    }
    out.status = std::atoi(code.c_str());
    out.reason = second_space == std::string::npos ? "" : out.status_line.substr(second_space + 1);
    std::string_view rest = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
    while (!rest.empty()) {
        const auto end = rest.find("\r\n");
        const std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return false;
        out.headers.emplace_back(std::string(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
    return true;
}

// De-chunks from text; returns the bytes consumed, or 0 while incomplete.
std::size_t parse_chunked(std::string_view text, std::string& body) {
    std::size_t at = 0;
    body.clear();
    for (;;) {
        const auto line_end = text.find("\r\n", at);
        if (line_end == std::string_view::npos) return 0;
        const std::string size_text(text.substr(at, line_end - at));
        const std::size_t size = std::strtoul(size_text.c_str(), nullptr, 16);
        at = line_end + 2;
        if (size == 0) {
            // Trailer fields, then the empty line.
            for (;;) {
                const auto trailer_end = text.find("\r\n", at);
                if (trailer_end == std::string_view::npos) return 0;
                const bool empty = trailer_end == at;
                at = trailer_end + 2;
                if (empty) return at;
            }
        }
        if (text.size() < at + size + 2) return 0;
        body.append(text.substr(at, size));
        at += size + 2;
    }
}

// One answer from the start of buffer: the bytes it takes, or 0 while incomplete. With eof, a
// body delimited by the close is complete.
std::size_t parse_answer(std::string_view buffer, bool eof, RawResponse& out) {
    const auto head_end = buffer.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return 0;
    RawResponse parsed;
    if (!parse_head(buffer.substr(0, head_end), parsed)) {
        // Not an HTTP answer: report it as it is, taking everything.
        out.status_line = std::string(buffer.substr(0, buffer.find("\r\n")));
        out.end = ReadEnd::answer;
        return buffer.size();
    }
    const std::size_t body_at = head_end + 4;
    const std::string_view rest = buffer.substr(body_at);
    std::size_t taken = 0;
    if ((parsed.status >= 100 && parsed.status < 200) || parsed.status == 204 || parsed.status == 304) {
        taken = body_at;
    } else if (const auto te = parsed.header("Transfer-Encoding");
               te && lower(*te).find("chunked") != std::string::npos) {
        const std::size_t used = parse_chunked(rest, parsed.body);
        if (used == 0) return 0;
        taken = body_at + used;
    } else if (const auto length = parsed.header("Content-Length"); length) {
        const std::size_t size = std::strtoul(length->c_str(), nullptr, 10);
        if (rest.size() < size) return 0;
        parsed.body = std::string(rest.substr(0, size));
        taken = body_at + size;
    } else {
        if (!eof) return 0;
        parsed.body = std::string(rest);
        taken = buffer.size();
    }
    parsed.end = ReadEnd::answer;
    out = std::move(parsed);
    return taken;
}

}  // namespace

const char* describe(ReadEnd end) {
    switch (end) {
        case ReadEnd::answer: return "answer";
        case ReadEnd::closed: return "closed by the server";
        case ReadEnd::timed_out: return "timed out";
    }
    return "?";
}

std::optional<std::string> RawResponse::header(std::string_view name) const {
    const std::string wanted = lower(name);
    for (const auto& [field, value] : headers) {
        if (lower(field) == wanted) return value;
    }
    return std::nullopt;
}

std::size_t RawResponse::header_count(std::string_view name) const {
    const std::string wanted = lower(name);
    return static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.end(), [&](const auto& field) { return lower(field.first) == wanted; }));
}

std::string RawResponse::describe() const {
    if (end != ReadEnd::answer) {
        return std::string(hostile::describe(end)) + " (after " + std::to_string(partial.size()) +
               " bytes: " + partial.substr(0, 200) + ")";
    }
    std::string text = status_line;
    for (const auto& [name, value] : headers) text += " | " + name + ": " + value;
    return text + " | " + body.substr(0, 400);
}

RawConnection::RawConnection(std::uint16_t port, const std::string& source_address) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!source_address.empty()) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, source_address.c_str(), &local.sin_addr);
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
            const std::string why = std::strerror(errno);
            ::close(fd_);
            throw std::runtime_error("bind " + source_address + ": " + why);
        }
    }
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + why);
    }
}

RawConnection::~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

bool RawConnection::trickle(std::string_view bytes, milliseconds interval, std::size_t step) {
    while (!bytes.empty()) {
        const std::string_view piece = bytes.substr(0, step);
        if (!send(piece)) return false;
        bytes.remove_prefix(piece.size());
        if (bytes.empty()) break;  // all sent: an answer now is the answer to the whole
        pollfd p{fd_, POLLIN, 0};
        const auto until = Clock::now() + interval;
        int ready = 0;
        do {
            ready = ::poll(&p, 1, remaining_ms(until));
        } while (ready < 0 && errno == EINTR);
        if (ready > 0) return false;  // the server answered or closed: stop sending
    }
    return true;
}

bool RawConnection::fill(Clock::time_point deadline, bool* timed_out) {
    *timed_out = false;
    if (eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    int ready = 0;
    do {
        ready = ::poll(&p, 1, remaining_ms(deadline));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
        *timed_out = true;
        return true;
    }
    char chunk[16384];
    ssize_t got = 0;
    do {
        got = ::recv(fd_, chunk, sizeof chunk, 0);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
        eof_ = true;  // EOF, or a reset (ECONNRESET): either way the server is gone
        return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return true;
}

RawResponse RawConnection::read_response(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        RawResponse out;
        if (const std::size_t used = parse_answer(buffer_, eof_, out); used > 0) {
            buffer_.erase(0, used);
            return out;
        }
        if (eof_) {
            out.end = ReadEnd::closed;
            out.partial = buffer_;
            return out;
        }
        bool timed_out = false;
        fill(deadline, &timed_out);
        if (timed_out) {
            out.end = ReadEnd::timed_out;
            out.partial = buffer_;
            return out;
        }
    }
}

bool RawConnection::wait_closed(milliseconds timeout, std::string* extra) {
    const auto deadline = Clock::now() + timeout;
    const std::size_t before = buffer_.size();
    while (!eof_) {
        bool timed_out = false;
        fill(deadline, &timed_out);
        if (timed_out) break;
    }
    if (extra != nullptr) *extra = buffer_.substr(before);
    return eof_;
}

bool RawConnection::closed_now() { return wait_closed(milliseconds(0)); }

std::string get_request(std::string_view target, std::string_view extra_fields) {
    std::string request = "GET ";
    request.append(target).append(" HTTP/1.1\r\nHost: hostile\r\n").append(extra_fields).append("\r\n");
    return request;
}

}  // namespace billing::hostile
