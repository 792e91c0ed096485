// The rows Engine::purchase writes for one activation, read back from the database, so that
// the raw floors and the fast set-up write exactly the engine's shape instead of a guess.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <string>

#include "billing/core/clock.hpp"

namespace billing::bench {

struct OrderShape {
    // orders
    std::string product, state, attributes_json, terms_json, outcome, policy;
    long long price_minor = 0;
    int is_final = 0;
    long long version = 0;
    // transfers (the purchase charge, customer -> escrow)
    std::string transfer_kind;
    // timers (one: the expiry)
    std::string timer_name;
    long long timer_offset_ms = 0;  // due_at - created_at
    // events (the first one, seq 1)
    std::string event_type, event_timer, event_actor, event_policy, event_code, decision_json;
};

// Reads the shape of order_id; fails the benchmark if it is not one transfer, one timer and
// one event.
OrderShape read_order_shape(soci::session& sql, const std::string& order_id);

// The decision text of the event with seq of order_id (e.g. 2: what the expiry wrote).
struct EventShape {
    std::string type, timer, actor, policy, code, decision_json;
    std::string order_state, order_outcome;
};
EventShape read_event_shape(soci::session& sql, const std::string& order_id, long long seq);

}  // namespace billing::bench
