// The host's checks of what a policy returns, run BEFORE anything is written (DESIGN §3: the
// host checks the decision and is the only writer). A plugin bug must never become a money bug:
// a decision or quote that fails a check is not applied at all, and the caller gets
// policy_violation naming the rule.
//
// Part of the SDK (BillingSDK::policy_rules) because the conformance kit holds every decision
// it sees to exactly these rules: a plugin that passes the kit is not refused by the host for a
// rule the kit did not know. Plain SDK types only.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "billing/sdk/types.hpp"

namespace billing::decision_check {

using sdk::MinorUnits;
using sdk::UtcMs;

// The limits on amounts are part of the plugin contract (billing/sdk/types.hpp).
using sdk::amount_minor_max;
using sdk::order_charged_minor_max;
// And so are the limits on time: every time in an answer is at most time_ms_max.
using sdk::now_ms_max;
using sdk::time_ms_max;

// What one answer may carry: far more than any policy needs, few enough that a runaway plugin
// cannot make the host write (or check) without end.
inline constexpr std::size_t timers_per_answer_max = 64;
inline constexpr std::size_t moves_per_answer_max = 16;
// States, outcomes and codes are stored in columns of this width.
inline constexpr std::size_t label_chars_max = 64;

// "charge", "capture", "refund", "refund_captured" (as stored and shown by the API).
std::string move_kind_name(sdk::MoveKind kind);

// What a decision is checked against, all read in the deciding transaction.
struct Facts {
    const sdk::OrderView& order;
    const sdk::ProductInfo& product;
    bool order_is_final = false;
    MinorUnits customer_balance_minor = 0;
    UtcMs now_ms = 0;
    // A timer's decision may not add a timer due at its own now: the sweeper would run it at
    // once, and a policy re-arming itself at now would loop forever.
    bool timer_event = false;
};

// The rule an allowed decision breaks ("refund_exceeds_held: ..."), or nullopt when it may be
// applied. Moves are checked in order, each against what the earlier ones left. An order in a
// final state may move money only as refund_captured (a support refund after completion,
// DESIGN §1); its escrow is settled, so anything else is a policy bug. A denial applies nothing,
// but the host shows its available_at: that must be a time in 0..time_ms_max.
std::optional<std::string> violation(const sdk::Decision& decision, const Facts& facts);

// The same for an allowed quote: price in range, its state declared, timers neither in the past
// nor past time_ms_max, its extra moves covered by what the charge put in escrow.
std::optional<std::string> quote_violation(const sdk::Quote& quote, const sdk::ProductInfo& product,
                                           MinorUnits customer_balance_minor, UtcMs now_ms);

const sdk::ProductInfo* find_product(const sdk::PolicyInfo& info, const std::string& name);
bool is_final_state(const sdk::ProductInfo& product, const std::string& state);

}  // namespace billing::decision_check
