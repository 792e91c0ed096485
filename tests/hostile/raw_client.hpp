// A raw HTTP/1.1 client for hostile traffic: one TCP connection (optionally from a chosen
// loopback source address, since all of 127.0.0.0/8 is local), exact bytes sent at once or
// trickled, and answers read with a deadline and parsed by hand (status line, header fields,
// a body framed by Content-Length, chunked or the close). A read tells an answer from "closed
// by the server" and from "timed out", which is what the tests of a transport are about:
// Poco's client would hide all three behind one exception.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace billing::hostile {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How a read ended.
enum class ReadEnd {
    answer,     // a whole answer was read
    closed,     // the server closed the connection (EOF or reset) before a whole answer
    timed_out,  // the deadline passed with the connection still open
};

const char* describe(ReadEnd end);

struct RawResponse {
    ReadEnd end = ReadEnd::timed_out;
    std::string status_line;  // without its CRLF
    std::string version;      // "HTTP/1.1"
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;  // names as sent, values trimmed
    std::string body;                                          // chunked bodies de-chunked
    std::string partial;  // the bytes read when no whole answer came (for failure messages)

    // The first field of that name (case-insensitive), or nullopt.
    [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
    [[nodiscard]] std::size_t header_count(std::string_view name) const;
    // "HTTP/1.1 400 Bad Request | content-type: ... | {body}" or how the read ended.
    [[nodiscard]] std::string describe() const;
};

class RawConnection {
public:
    // Connects to 127.0.0.1:port, the socket first bound to source_address (e.g. "127.0.0.7")
    // when given. Throws std::runtime_error when the connection cannot be made.
    explicit RawConnection(std::uint16_t port, const std::string& source_address = "");
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // Sends every byte (false when the server has closed or reset the connection).
    bool send(std::string_view bytes);
    // Sends the bytes `step` at a time, waiting `interval` between steps. Stops early, returning
    // false, when the server answers or closes meanwhile (readable), or a send fails; the answer
    // stays to be read. True when every byte was sent.
    bool trickle(std::string_view bytes, milliseconds interval, std::size_t step = 1);

    // Reads one answer (a 100 Continue is an answer of its own) within timeout. Bytes past
    // the answer stay buffered for the next read (pipelined answers).
    RawResponse read_response(milliseconds timeout);
    // Waits for the server to close the connection: true if it did (EOF or reset) within
    // timeout, false if it stayed open. Any bytes that arrive meanwhile are kept in extra.
    bool wait_closed(milliseconds timeout, std::string* extra = nullptr);
    // True when the server has already closed the connection (a read without waiting).
    bool closed_now();
    // Bytes received and not yet taken by a read_response.
    [[nodiscard]] const std::string& buffered() const { return buffer_; }

    [[nodiscard]] int fd() const { return fd_; }

private:
    // Appends what arrives before the deadline; returns false on EOF or reset.
    bool fill(Clock::time_point deadline, bool* timed_out);

    int fd_ = -1;
    bool eof_ = false;
    std::string buffer_;
};

// A request for the tests to build on: "GET /livez HTTP/1.1\r\nHost: hostile\r\n" + extra + "\r\n".
std::string get_request(std::string_view target, std::string_view extra_fields = "");

}  // namespace billing::hostile
