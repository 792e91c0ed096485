#include "billing/rules/decision_check.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace billing::decision_check {

namespace {

// What the moves of one decision may still take, updated move by move.
struct Budget {
    MinorUnits held_minor = 0;                // in escrow for this order
    MinorUnits refundable_revenue_minor = 0;  // captured and not yet refunded
    MinorUnits customer_minor = 0;            // the customer's balance
    MinorUnits charged_minor = 0;             // taken from the customer in all
};

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The characters are limited so that every database compares timer names byte for byte: a
// case-insensitive or padding-insensitive collation must not make two timers one.
bool is_timer_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::string rule(const char* name, const std::string& detail) { return std::string(name) + ": " + detail; }

std::optional<std::string> apply_move(const sdk::MoneyMove& move, Budget& b) {
    const MinorUnits a = move.amount_minor;
    const std::string what = move_kind_name(move.kind) + " of " + std::to_string(a);
    if (a <= 0 || a > amount_minor_max) {
        return rule("move_amount_out_of_range", what + " is not in 1.." + std::to_string(amount_minor_max));
    }
    switch (move.kind) {
        case sdk::MoveKind::charge:
            if (a > b.customer_minor) return rule("charge_exceeds_balance", what + " exceeds the customer balance");
            if (b.charged_minor > order_charged_minor_max - a) return rule("charge_overflow", what);
            b.customer_minor -= a;
            b.held_minor += a;
            b.charged_minor += a;
            return std::nullopt;
        case sdk::MoveKind::capture:
            if (a > b.held_minor) return rule("capture_exceeds_held", what + " exceeds what escrow holds");
            b.held_minor -= a;
            b.refundable_revenue_minor += a;
            return std::nullopt;
        case sdk::MoveKind::refund:
            if (a > b.held_minor) return rule("refund_exceeds_held", what + " exceeds what escrow holds");
            b.held_minor -= a;
            b.customer_minor += a;
            return std::nullopt;
        case sdk::MoveKind::refund_captured:
            if (a > b.refundable_revenue_minor) {
                return rule("refund_captured_exceeds_captured", what + " exceeds captured minus refunded");
            }
            b.refundable_revenue_minor -= a;
            b.customer_minor += a;
            return std::nullopt;
    }
    return rule("move_kind_unknown", what);
}

std::optional<std::string> check_moves(const std::vector<sdk::MoneyMove>& moves, Budget budget) {
    if (moves.size() > moves_per_answer_max) {
        return rule("too_many_moves", std::to_string(moves.size()) + " moves in one answer, at most " +
                                          std::to_string(moves_per_answer_max));
    }
    for (const sdk::MoneyMove& move : moves) {
        if (auto broken = apply_move(move, budget)) return broken;
    }
    return std::nullopt;
}

// after_now: a timer's decision, whose timers must fall due strictly after now (Facts::timer_event).
std::optional<std::string> check_timers(const std::vector<sdk::TimerRequest>& timers, UtcMs now_ms,
                                        bool after_now = false) {
    if (timers.size() > timers_per_answer_max) {
        return rule("too_many_timers", std::to_string(timers.size()) + " timers in one answer, at most " +
                                           std::to_string(timers_per_answer_max));
    }
    for (auto timer_it = timers.begin(); timer_it != timers.end(); ++timer_it) {
        const sdk::TimerRequest& timer = *timer_it;
        if (!is_timer_name(timer.name)) {
            return rule("timer_name_invalid", "a timer name must be 1 to 64 of a-z, 0-9, '_' and '-'");
        }
        // Names are unique per order: asking twice in one answer is ambiguous about which time wins.
        for (auto earlier = timers.begin(); earlier != timer_it; ++earlier) {
            if (earlier->name == timer.name) {
                return rule("timer_name_duplicate", "timer " + timer.name + " is asked for twice");
            }
        }
        if (timer.due_at_ms < now_ms) {
            return rule("timer_in_past", "timer " + timer.name + " would fall due before now");
        }
        if (timer.due_at_ms > time_ms_max) {
            return rule("timer_past_time_max", "timer " + timer.name + " would fall due after " +
                                                   std::to_string(time_ms_max) + " (9999-12-31T23:59:59.999Z)");
        }
        if (after_now && timer.due_at_ms == now_ms) {
            return rule("timer_rearmed_at_now", "a timer's decision adds timer " + timer.name + " due at its own now");
        }
    }
    return std::nullopt;
}

std::optional<std::string> check_labels(const sdk::Decision& d, const sdk::ProductInfo& product) {
    if (d.code.empty() || d.code.size() > label_chars_max) {
        return rule("code_invalid",
                    "a decision's code must be 1 to " + std::to_string(label_chars_max) + " characters");
    }
    if (!d.new_state.empty() && !contains(product.states, d.new_state)) {
        return rule("unknown_state", "state " + d.new_state + " is not declared by product " + product.name);
    }
    if (!d.outcome.empty() && !contains(product.outcomes, d.outcome)) {
        return rule("unknown_outcome", "outcome " + d.outcome + " is not declared by product " + product.name);
    }
    for (const auto& [term, value] : d.set_terms) {
        // Pinned terms are the rights the order was bought with; only the ones the product
        // declares adjustable (e.g. a paid extension's duration) may change.
        if (!contains(product.adjustable_terms, term)) {
            return rule("term_not_adjustable", "term " + term + " is pinned for product " + product.name);
        }
    }
    if (d.drop_timers.size() > timers_per_answer_max) {
        return rule("too_many_timers", std::to_string(d.drop_timers.size()) + " timers dropped in one answer");
    }
    for (const std::string& name : d.drop_timers) {
        if (!is_timer_name(name)) return rule("timer_name_invalid", "a dropped timer name is invalid");
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> violation(const sdk::Decision& d, const Facts& f) {
    if (!d.allowed) {
        // A denial applies nothing; only the time it names is shown to the caller.
        if (d.available_at_ms && (*d.available_at_ms < 0 || *d.available_at_ms > time_ms_max)) {
            return rule("available_at_out_of_range", "a denial's available_at " + std::to_string(*d.available_at_ms) +
                                                         " is not in 0.." + std::to_string(time_ms_max));
        }
        return std::nullopt;
    }
    if (f.order_is_final) {
        for (const sdk::MoneyMove& move : d.moves) {
            if (move.kind != sdk::MoveKind::refund_captured) {
                return rule("final_order_moves_money",
                            move_kind_name(move.kind) + " on an order in final state " + f.order.state);
            }
        }
    }
    if (auto broken = check_labels(d, f.product)) return broken;
    if (auto broken = check_timers(d.add_timers, f.now_ms, f.timer_event)) return broken;
    const Budget budget{f.order.held_minor(), f.order.refundable_from_revenue_minor(), f.customer_balance_minor,
                        f.order.charged_minor};
    return check_moves(d.moves, budget);
}

std::optional<std::string> quote_violation(const sdk::Quote& q, const sdk::ProductInfo& product,
                                           MinorUnits customer_balance_minor, UtcMs now_ms) {
    if (q.code.empty() || q.code.size() > label_chars_max) {
        return rule("code_invalid", "a quote's code must be 1 to " + std::to_string(label_chars_max) + " characters");
    }
    if (q.price_minor < 0 || q.price_minor > amount_minor_max) {
        return rule("price_out_of_range",
                    "price " + std::to_string(q.price_minor) + " is not in 0.." + std::to_string(amount_minor_max));
    }
    if (!contains(product.states, q.state)) {
        return rule("unknown_state", "state " + q.state + " is not declared by product " + product.name);
    }
    if (auto broken = check_timers(q.timers, now_ms)) return broken;
    // The price itself is charged by the ledger, which reports insufficient_funds; the extra
    // moves see what is left after it.
    const MinorUnits after_price = customer_balance_minor - std::min(customer_balance_minor, q.price_minor);
    return check_moves(q.moves, Budget{q.price_minor, 0, after_price, q.price_minor});
}

std::string move_kind_name(sdk::MoveKind kind) {
    switch (kind) {
        case sdk::MoveKind::charge: return "charge";
        case sdk::MoveKind::capture: return "capture";
        case sdk::MoveKind::refund: return "refund";
        case sdk::MoveKind::refund_captured: return "refund_captured";
    }
    return "unknown(" + std::to_string(static_cast<std::int32_t>(kind)) + ")";
}

const sdk::ProductInfo* find_product(const sdk::PolicyInfo& info, const std::string& name) {
    for (const sdk::ProductInfo& product : info.products) {
        if (product.name == name) return &product;
    }
    return nullptr;
}

bool is_final_state(const sdk::ProductInfo& product, const std::string& state) {
    return contains(product.final_states, state);
}

}  // namespace billing::decision_check
