// The event record of an order: one row per applied decision, seq = the order's version after
// it, so (order_id, seq) is unique and orders the history.
#pragma once

#include <soci/soci.h>

#include <string>
#include <vector>

#include "billing/storage/records.hpp"

namespace billing::events {

inline constexpr const char* purchase_type = "purchase";  // the type of an order's first event
inline constexpr const char* system_actor = "system";     // the actor of timer events: the sweeper

struct EventRow {
    std::string id;
    std::string tenant_id;
    std::string order_id;
    std::int64_t seq = 0;
    std::string type;   // sdk::event_type::*, or purchase_type
    std::string timer;  // the timer's name for type "timer", else empty
    std::string actor;
    std::string policy;  // "name@version"
    UtcMs now_ms = 0;    // the decision time (a late timer's due time)
    bool allowed = true;
    std::string code;
    std::string decision_json;
    UtcMs created_at_ms = 0;  // when it was written
    // The event's own fields as JSON ({"text":{...},"numbers":{...}}, json_codec::encode_request):
    // what was asked, e.g. a support refund's reason. "" when it had none (stored as NULL).
    std::string request_json;
};

void append(soci::session& sql, const EventRow& event);

// append() for each, as multi-row INSERTs (a sweeper's batch).
void append_all(soci::session& sql, const std::vector<EventRow>& events);

}  // namespace billing::events
