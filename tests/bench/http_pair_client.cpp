#include "http_pair_client.hpp"

namespace billing::bench {

namespace {

// The activation the engine benchmark buys too: a service and country with the default price.
constexpr const char* product_json = R"("product":"activation","attributes":{"service":"facebook","country":"de"})";

}  // namespace

HttpPairClient::HttpPairClient(std::uint16_t port, const std::string& service_key, const std::string& account_id,
                               std::string key_tag)
    : http_(port, service_key),
      purchase_body_(std::string(R"({"account_id":")") + account_id + "\"," + product_json + "}"),
      key_tag_(std::move(key_tag)) {}

bool HttpPairClient::purchase() {
    last_key_ = key_tag_ + "-" + std::to_string(++sequence_) + "-buy";
    const HttpReply reply = http_.post("/v1/orders", purchase_body_, last_key_);
    if (!check(reply, "POST /v1/orders")) return false;
    order_id_ = json_string_member(reply.body, "id");
    if (order_id_.empty()) {
        failure_ = "POST /v1/orders: no order id in " + reply.body;
        return false;
    }
    return true;
}

bool HttpPairClient::cancel() {
    last_key_ = key_tag_ + "-" + std::to_string(sequence_) + "-cancel";
    return check(http_.post("/v1/orders/" + order_id_ + "/cancel", "{}", last_key_), "POST /v1/orders/{id}/cancel");
}

bool HttpPairClient::check(const HttpReply& reply, const char* what) {
    if (reply.ok()) return true;
    failure_ = std::string(what) + " answered " + std::to_string(reply.status) + ": " + reply.body;
    return false;
}

}  // namespace billing::bench
