// A client of the load over HTTP: POST /v1/orders, then POST /v1/orders/{id}/cancel, each with
// its own Idempotency-Key, on one keep-alive connection. Pointed at the trivial server it sends
// exactly the same requests, which that server answers without doing anything.
#pragma once

#include <cstdint>
#include <string>

#include "http_client.hpp"
#include "load_driver.hpp"

namespace billing::bench {

class HttpPairClient final : public PairClient {
public:
    // key_tag makes this client's Idempotency-Keys unique within the tenant.
    HttpPairClient(std::uint16_t port, const std::string& service_key, const std::string& account_id,
                   std::string key_tag);

    bool purchase() override;
    bool cancel() override;

    // GET path on this client's connection (the host's GET /metrics between runs: with as many
    // clients as the host has worker threads, each kept-alive connection holds one, and a new
    // connection would wait for a free one).
    HttpReply get(const std::string& path) { return http_.get(path); }

    // The last purchase's order id and the last request's Idempotency-Key (for the template).
    [[nodiscard]] const std::string& order_id() const { return order_id_; }
    [[nodiscard]] const std::string& last_idempotency_key() const { return last_key_; }

private:
    bool check(const HttpReply& reply, const char* what);

    HttpClient http_;
    std::string purchase_body_;
    std::string key_tag_;
    std::uint64_t sequence_ = 0;
    std::string order_id_, last_key_;
};

}  // namespace billing::bench
