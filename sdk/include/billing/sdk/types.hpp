// The value types that cross the host/plugin boundary.
//
// Everything here is plain data made of standard types only, so that a plugin built by an
// outside author with the same compiler and standard library (see abi.hpp, "build key") can
// exchange it with the host by value. Money is always an integer count of minor units of the
// tenant's currency (150 means 1.50 USD); time is always UTC milliseconds since the Unix epoch.
// No floating point appears anywhere in this contract.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace billing::sdk {

// Minor units of the tenant's currency. Signed so that a wrong subtraction shows up as a
// negative number a check can catch instead of wrapping around.
using MinorUnits = std::int64_t;

// UTC milliseconds since 1970-01-01T00:00:00Z.
using UtcMs = std::int64_t;

inline constexpr std::int64_t ms_per_second = 1000;
inline constexpr std::int64_t ms_per_minute = 60 * ms_per_second;
inline constexpr std::int64_t ms_per_hour = 60 * ms_per_minute;
inline constexpr std::int64_t ms_per_day = 24 * ms_per_hour;

// The host's limits on money (billing/rules/decision_check.hpp holds every decision to them):
// the largest amount one move may carry, and the most one order may take from its customer in
// all (price plus later charges). Both far below 2^62, so sums of them cannot overflow.
inline constexpr MinorUnits amount_minor_max = 1'000'000'000'000'000;  // 10^15
inline constexpr MinorUnits order_charged_minor_max = amount_minor_max * 4;

// The host's limits on time. Every time it stores or prints is an RFC 3339 UTC time, whose year
// has four digits: none may pass time_ms_max (9999-12-31T23:59:59.999Z). A tenant's now (its test
// clock; the system clock is far below) never passes now_ms_max (9900-01-01T00:00:00.000Z), so a
// policy may place a time up to horizon_ms (about a century) after the now it is given; the host
// refuses an answer with a later time (billing/rules/decision_check.hpp).
inline constexpr UtcMs time_ms_max = 253'402'300'799'999;
inline constexpr UtcMs now_ms_max = 250'246'627'200'000;
inline constexpr std::int64_t horizon_ms = time_ms_max - now_ms_max;

// Free-form named strings (an order's attributes, an event's text fields).
using Attributes = std::map<std::string, std::string>;

// Named integers: an order's pinned terms, an event's numeric fields. Units go last in the
// names ("window_ms", "duration_hours", "amount_minor").
using Numbers = std::map<std::string, std::int64_t>;

// What the policy sees of an order. The host builds it from its own row; the policy may not
// keep it beyond the call.
struct OrderView {
    std::string id;
    std::string product;    // one of PolicyInfo::products[].name
    std::string state;      // one of the product's declared states
    Attributes attributes;  // e.g. service, country; set at purchase or by Decision::set_attributes
    Numbers terms;          // pinned at purchase from Quote::terms; never changed afterwards

    MinorUnits price_minor = 0;                  // what the purchase cost
    MinorUnits charged_minor = 0;                // everything taken from the customer (purchase + extensions)
    MinorUnits captured_minor = 0;               // moved from escrow to revenue
    MinorUnits refunded_from_escrow_minor = 0;   // returned to the customer before capture
    MinorUnits refunded_from_revenue_minor = 0;  // returned to the customer after capture

    UtcMs created_at_ms = 0;  // the purchase time: every window is measured from here
    UtcMs updated_at_ms = 0;

    // What escrow still holds for this order: the only money a refund-before-capture or a
    // capture may move.
    // The host guarantees 0 <= each amount <= charged_minor <= order_charged_minor_max on the
    // orders it sends, so these cannot overflow on real orders. An order outside that is
    // garbage: a plugin checks the amounts itself before calling these, and denies (the
    // conformance kit sends such orders and expects a clean denial).
    [[nodiscard]] MinorUnits held_minor() const { return charged_minor - captured_minor - refunded_from_escrow_minor; }
    // What a refund out of revenue may still return.
    [[nodiscard]] MinorUnits refundable_from_revenue_minor() const {
        return captured_minor - refunded_from_revenue_minor;
    }
    [[nodiscard]] MinorUnits refunded_minor() const { return refunded_from_escrow_minor + refunded_from_revenue_minor; }
};

// Event types the host sends to decide(). A string, not an enum, so that a host with a newer
// ABI minor can send a type an older plugin does not know; the plugin then denies it with
// code "unsupported_event" instead of misreading a number.
namespace event_type {
inline constexpr const char* cancel = "cancel";                      // the customer cancels
inline constexpr const char* message = "message";                    // a code arrived (text: service)
inline constexpr const char* timer = "timer";                        // a timer fell due (Event::timer)
inline constexpr const char* support_refund = "support_refund";      // text: reason, note; numbers: amount_minor
inline constexpr const char* dispute_opened = "dispute_opened";      // text: description, evidence_url
inline constexpr const char* dispute_resolved = "dispute_resolved";  // text: resolution, note; numbers: amount_minor
inline constexpr const char* extend = "extend";                      // numbers: hours
}  // namespace event_type

// The names of Event::text and Event::numbers fields, as the host's routes fill them. The host
// checks their shape (lengths, an https URL, a positive amount) before the policy sees them; a
// field that is optional in the API is absent from the map when the request left it out.
namespace event_field {
inline constexpr const char* service = "service";            // message: the service that sent the code
inline constexpr const char* reason = "reason";              // support_refund: 1-64 of [a-z0-9_]
inline constexpr const char* note = "note";                  // support_refund, dispute_resolved: optional
inline constexpr const char* amount_minor = "amount_minor";  // support_refund (absent: all that is left);
                                                             // dispute_resolved with resolution "refund"
inline constexpr const char* description = "description";    // dispute_opened
inline constexpr const char* evidence_url = "evidence_url";  // dispute_opened: optional, https://
inline constexpr const char* resolution = "resolution";      // dispute_resolved: "refund" or "reject"
inline constexpr const char* hours = "hours";                // extend: the hours to add, > 0
}  // namespace event_field

namespace dispute_resolution {
inline constexpr const char* refund = "refund";
inline constexpr const char* reject = "reject";
}  // namespace dispute_resolution

// Denial codes that say the REQUEST cannot be accepted as it is (a reason the tenant's config
// does not list, evidence the rules require, an amount that is no amount), not that the order's
// state or time forbids it now: the host answers these 422, every other denial 409.
namespace request_refusal {
inline constexpr const char* unknown_reason = "unknown_reason";
inline constexpr const char* evidence_required = "evidence_required";
inline constexpr const char* invalid_amount = "invalid_amount";
}  // namespace request_refusal

[[nodiscard]] inline bool is_request_refusal(const std::string& code) {
    return code == request_refusal::unknown_reason || code == request_refusal::evidence_required ||
           code == request_refusal::invalid_amount;
}

struct Event {
    std::string type;   // one of event_type::*
    std::string timer;  // for type "timer": the name the policy gave the timer
    Attributes text;    // string fields of the request
    Numbers numbers;    // integer fields of the request
    std::string actor;  // "customer", "support", "system": who caused it (for the record)
};

// What the host knows around the event that the policy may weigh. The host computes it; the
// policy reads no clock and no database.
struct Context {
    UtcMs now_ms = 0;  // the decision time (for a timer replayed after downtime: its due time)
    // Counts over the account's last PolicyInfo::history_window_ms (up to now_ms), for rules
    // such as "evidence required after repeated disputes"; 0 when the window is 0.
    // refunds: support refunds and disputes resolved with a refund, on any of the account's
    // orders (automatic refunds and the customer's own cancels are not counted);
    // disputes: disputes the account opened (not counting the one being opened).
    std::int64_t account_recent_refunds = 0;
    std::int64_t account_recent_disputes = 0;
};

// A timer the policy asks for. Names are unique per order: adding an existing name moves it.
struct TimerRequest {
    std::string name;
    UtcMs due_at_ms = 0;

    friend bool operator==(const TimerRequest&, const TimerRequest&) = default;
};

// One money movement between the order's customer and the tenant's system accounts
// (DESIGN §4: the host writes each as a double-entry transfer).
enum class MoveKind : std::int32_t {
    charge = 1,           // customer -> escrow (a further hold, e.g. an extension)
    capture = 2,          // escrow -> revenue (the money became non-refundable to the customer)
    refund = 3,           // escrow -> customer (refund before capture)
    refund_captured = 4,  // revenue -> customer (refund after capture, e.g. by support)
};

struct MoneyMove {
    MoveKind kind = MoveKind::refund;
    MinorUnits amount_minor = 0;  // always > 0

    friend bool operator==(const MoneyMove&, const MoneyMove&) = default;
};

// The answer to one event. Denied decisions carry only code, message and available_at; the
// host applies nothing else of them.
struct Decision {
    bool allowed = false;
    std::string code;                      // stable machine code: "ok" or e.g. "cancel_too_early"
    std::string message;                   // for people; never contains secrets
    std::optional<UtcMs> available_at_ms;  // when a denied action becomes possible, if ever

    std::string new_state;  // empty: unchanged
    std::vector<MoneyMove> moves;
    std::vector<TimerRequest> add_timers;
    std::vector<std::string> drop_timers;
    Attributes set_attributes;
    // Terms this event changes by agreement with the customer, e.g. a paid rental extension's
    // new duration_ms. The host accepts only keys the product lists in
    // ProductInfo::adjustable_terms: the windows an order was bought with stay pinned.
    Numbers set_terms;
    std::string outcome;  // label for reports ("delivered", "not_delivered", ...); empty: none

    friend bool operator==(const Decision&, const Decision&) = default;
};

// A purchase as the storefront asked for it.
struct PurchaseRequest {
    std::string product;
    Attributes attributes;  // e.g. service, country
    Numbers numbers;        // e.g. duration_hours
};

// The policy's answer to a purchase: either refused (like a denied Decision), or the price,
// the terms to pin on the order, its first state and its first timers. The host charges
// price_minor (customer -> escrow) in the same transaction that creates the order.
struct Quote {
    bool allowed = false;
    std::string code;  // "ok" when allowed, else a stable refusal code
    std::string message;

    MinorUnits price_minor = 0;
    Numbers terms;
    std::string state;
    Attributes attributes;  // the normalised attributes stored on the order
    std::vector<TimerRequest> timers;
    std::vector<MoneyMove> moves;  // moves after the charge, e.g. an immediate capture

    friend bool operator==(const Quote&, const Quote&) = default;
};

struct AttributeSpec {
    std::string name;
    bool required = false;
    std::string description;
};

struct ProductInfo {
    std::string name;
    std::string description;
    std::vector<AttributeSpec> attributes;      // text attributes of the purchase
    std::vector<AttributeSpec> numbers;         // numeric fields of the purchase
    std::vector<std::string> states;            // every state an order of this product can be in
    std::vector<std::string> final_states;      // states in which nothing changes any more
    std::vector<std::string> outcomes;          // labels the policy records for reports
    std::vector<std::string> adjustable_terms;  // terms Decision::set_terms may change; none by default
};

struct PolicyInfo {
    std::string name;
    std::string version;
    std::vector<ProductInfo> products;
    // How far back the host counts Context::account_recent_*; 0: the policy does not use them.
    std::int64_t history_window_ms = 0;
};

// The result of configure(): ok, or a message for the operator (with line:col where the
// policy can tell).
struct ConfigResult {
    bool ok = false;
    std::string message;
};

// Helpers for the common shapes of a decision.
[[nodiscard]] inline Decision deny(std::string code, std::string message,
                                   std::optional<UtcMs> available_at_ms = std::nullopt) {
    Decision d;
    d.allowed = false;
    d.code = std::move(code);
    d.message = std::move(message);
    d.available_at_ms = available_at_ms;
    return d;
}

[[nodiscard]] inline Decision allow(std::string message = {}) {
    Decision d;
    d.allowed = true;
    d.code = "ok";
    d.message = std::move(message);
    return d;
}

[[nodiscard]] inline Quote refuse(std::string code, std::string message) {
    Quote q;
    q.allowed = false;
    q.code = std::move(code);
    q.message = std::move(message);
    return q;
}

}  // namespace billing::sdk
