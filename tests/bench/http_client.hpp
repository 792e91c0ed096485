// One keep-alive HTTP/1.1 connection to a server of billing_http_bench (the billing host or the
// trivial floor server), as a client thread of the benchmark holds it: Poco's HTTPClientSession,
// a bearer key, JSON bodies, every answer read to its end so the connection can be reused.
#pragma once

#include <Poco/Net/HTTPClientSession.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace billing::bench {

struct HttpReply {
    int status = 0;  // 0: no answer (the connection failed; body says why)
    std::string body;

    [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }
};

class HttpClient {
public:
    HttpClient(std::uint16_t port, std::string bearer_key);

    // POST path with a JSON body; the Idempotency-Key header when idempotency_key is given.
    HttpReply post(const std::string& path, const std::string& body,
                   const std::optional<std::string>& idempotency_key = std::nullopt);
    HttpReply get(const std::string& path);

private:
    HttpReply send(const std::string& method, const std::string& path, const std::string* body,
                   const std::optional<std::string>& idempotency_key);

    Poco::Net::HTTPClientSession session_;
    std::string authorization_;
};

// The string value of the first "name":"..." member in a JSON text (no escapes expected: ids
// and keys), or "" when there is none. Cheap on purpose: the client shares the CPU with the
// server it measures, so it does not parse whole answers on the measured path.
std::string json_string_member(std::string_view json, std::string_view name);

}  // namespace billing::bench
