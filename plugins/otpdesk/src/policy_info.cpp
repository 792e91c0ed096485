// What OTPDesk declares to the host: its products with their purchase fields, states, final
// states and report outcomes.
#include "names.hpp"
#include "otpdesk_policy.hpp"

namespace otpdesk {

namespace {

billing::sdk::ProductInfo activation_info() {
    billing::sdk::ProductInfo info;
    info.name = product::activation;
    info.description =
        "A number for one service for a fixed window (20 minutes by default); unlimited codes from that service. "
        "Cancel with a full refund from 2 minutes after purchase until a code arrives; a full refund at the end "
        "of the window if none arrived.";
    info.attributes = {
        {attribute::service, true, "the service the codes come from, e.g. telegram (stored lower-case)"},
        {attribute::country, true, "ISO 3166 alpha-2 country of the number, e.g. us (stored lower-case)"},
    };
    info.states = {state::active, state::delivered, state::completed, state::cancelled, state::expired};
    info.final_states = {state::completed, state::cancelled, state::expired};
    info.outcomes = {outcome::delivered, outcome::not_delivered, outcome::cancelled};
    return info;
}

billing::sdk::ProductInfo rental_info() {
    billing::sdk::ProductInfo info;
    info.name = product::rental;
    info.description =
        "A number for 24 hours to 8 weeks (by default); codes from any service. Cancel with a full refund only "
        "within the first 20 minutes (by default), code or not.";
    info.numbers = {
        {number::duration_hours, true, "rented hours, 24 to 1344 by default; priced per day, prorated per hour"},
    };
    info.states = {state::active, state::cancelled, state::ended};
    info.final_states = {state::cancelled, state::ended};
    info.outcomes = {outcome::cancelled, outcome::ended};
    // A paid extension lengthens the rented time; every window the rental was sold with stays.
    info.adjustable_terms = {term::duration_ms};
    return info;
}

}  // namespace

billing::sdk::PolicyInfo otpdesk_policy_info() {
    billing::sdk::PolicyInfo info;
    info.name = policy_name;
    info.version = policy_version;
    info.products = {activation_info(), rental_info()};
    // A dispute needs evidence after repeated support refunds and disputes within 30 days.
    info.history_window_ms = 30 * billing::sdk::ms_per_day;
    return info;
}

}  // namespace otpdesk
