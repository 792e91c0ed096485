#include "driver.hpp"

#include <algorithm>
#include <exception>
#include <sstream>
#include <utility>

namespace billing::conformance::detail {

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

template <class Map>
std::string join_map(const Map& map) {
    std::string out = "{";
    for (const auto& [key, value] : map) {
        if (out.size() > 1) out += ", ";
        std::ostringstream v;
        v << value;
        std::string text = v.str();
        if (text.size() > 40) text = text.substr(0, 40) + "...(" + std::to_string(text.size()) + " chars)";
        out += key + "=" + text;
    }
    return out + "}";
}

std::string moves_text(const std::vector<sdk::MoneyMove>& moves) {
    std::string out = "[";
    for (const sdk::MoneyMove& m : moves) {
        if (out.size() > 1) out += ", ";
        out += decision_check::move_kind_name(m.kind) + " " + std::to_string(m.amount_minor);
    }
    return out + "]";
}

std::string timers_text(const std::vector<sdk::TimerRequest>& timers, UtcMs created_at_ms) {
    std::string out = "[";
    for (const sdk::TimerRequest& t : timers) {
        if (out.size() > 1) out += ", ";
        out += t.name + " at " + relative_time(t.due_at_ms, created_at_ms);
    }
    return out + "]";
}

// "decide() threw: what" whether the exception reached the kit or the SDK's guard caught it
// (the guard's plugin_error message already reads that way).
std::string said_by(const std::string& call, const std::string& what) {
    const std::string prefix = call + "() threw";
    return what.compare(0, prefix.size(), prefix) == 0 ? what : prefix + ": " + what;
}

// Why no host would send this order at `now_ms`, or nullopt when one could: the host sends only
// orders of declared products in declared states, with 0 <= every amount <= charged <=
// order_charged_minor_max, refunded after capture <= captured, and never decides before the purchase.
std::optional<std::string> not_from_a_host(const sdk::OrderView& o, const sdk::ProductInfo* product, UtcMs now_ms) {
    if (product == nullptr) return "undeclared product " + o.product;
    if (std::find(product->states.begin(), product->states.end(), o.state) == product->states.end()) {
        return "undeclared state '" + o.state + "'";
    }
    if (o.charged_minor < 0 || o.charged_minor > sdk::order_charged_minor_max || o.captured_minor < 0 ||
        o.refunded_from_escrow_minor < 0 || o.refunded_from_revenue_minor < 0 ||
        o.captured_minor > o.charged_minor - o.refunded_from_escrow_minor ||
        o.refunded_from_revenue_minor > o.captured_minor) {
        return "amounts outside 0 <= captured + refunded <= charged <= " + std::to_string(sdk::order_charged_minor_max);
    }
    if (now_ms < o.created_at_ms) return "decided before its purchase";
    return std::nullopt;
}

// The rule's name: decision_check messages read "rule_name: detail".
std::string rule_name(const std::string& violation) { return violation.substr(0, violation.find(':')); }

// Terms named in milliseconds must be times a window can be: not negative.
std::optional<std::string> insane_term(const sdk::Numbers& terms) {
    for (const auto& [name, value] : terms) {
        if (name.empty()) return std::string("a term has an empty name");
        const bool is_duration = name.size() > 3 && name.compare(name.size() - 3, 3, "_ms") == 0;
        if (is_duration && (value < 0 || value > decision_check::amount_minor_max * 1000)) {
            return "term " + name + " = " + std::to_string(value) + " is not a duration in ms";
        }
    }
    return std::nullopt;
}

}  // namespace

MinorUnits Ledger::total() const {
    MinorUnits sum = escrow + revenue;
    for (MinorUnits balance : customers) sum += balance;
    return sum;
}

std::string relative_time(UtcMs at_ms, UtcMs created_at_ms) {
    // The robustness check sends times at both ends of the 64-bit range: those are shown as
    // they are, never subtracted.
    std::int64_t delta = 0;
    const std::int64_t century_ms = sdk::ms_per_day * 36500;
    if (__builtin_sub_overflow(at_ms, created_at_ms, &delta) || delta < -century_ms || delta > century_ms) {
        return "epoch ms " + std::to_string(at_ms);
    }
    std::int64_t rest = delta < 0 ? -delta : delta;
    std::string out = delta < 0 ? "-" : "+";
    const std::int64_t days = rest / sdk::ms_per_day;
    rest %= sdk::ms_per_day;
    const std::int64_t hours = rest / sdk::ms_per_hour;
    rest %= sdk::ms_per_hour;
    const std::int64_t minutes = rest / sdk::ms_per_minute;
    rest %= sdk::ms_per_minute;
    if (days > 0) out += std::to_string(days) + "d";
    if (hours > 0) out += std::to_string(hours) + "h";
    if (minutes > 0) out += std::to_string(minutes) + "m";
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%lld.%03llds", static_cast<long long>(rest / 1000),
                  static_cast<long long>(rest % 1000));
    return out + seconds;
}

std::string describe(const sdk::OrderView& o) {
    return "order " + o.id + " (" + o.product + ", state " + o.state + ", terms " + join_map(o.terms) +
           ", attributes " + join_map(o.attributes) + ", charged " + std::to_string(o.charged_minor) + ", captured " +
           std::to_string(o.captured_minor) + ", refunded " + std::to_string(o.refunded_from_escrow_minor) + "+" +
           std::to_string(o.refunded_from_revenue_minor) + ")";
}

std::string describe(const sdk::Event& e) {
    std::string out = "event " + (e.type.size() > 40 ? e.type.substr(0, 40) + "..." : e.type);
    if (!e.timer.empty()) out += " " + e.timer;
    out += " by " + e.actor;
    if (!e.text.empty()) out += " text " + join_map(e.text);
    if (!e.numbers.empty()) out += " numbers " + join_map(e.numbers);
    return out;
}

std::string describe(const sdk::Decision& d, UtcMs created_at_ms) {
    if (!d.allowed) return "denied " + d.code + " (" + d.message + ")";
    std::string out = "allowed " + d.code;
    if (!d.new_state.empty()) out += ", state -> " + d.new_state;
    if (!d.moves.empty()) out += ", moves " + moves_text(d.moves);
    if (!d.add_timers.empty()) out += ", timers + " + timers_text(d.add_timers, created_at_ms);
    if (!d.drop_timers.empty()) {
        out += ", timers -";
        for (const std::string& name : d.drop_timers) out += " " + name;
    }
    if (!d.set_attributes.empty()) out += ", attributes " + join_map(d.set_attributes);
    if (!d.set_terms.empty()) out += ", terms " + join_map(d.set_terms);
    if (!d.outcome.empty()) out += ", outcome " + d.outcome;
    return out;
}

std::string describe(const sdk::Quote& q, UtcMs quoted_at_ms) {
    if (!q.allowed) return "refused " + q.code + " (" + q.message + ")";
    return "allowed, price " + std::to_string(q.price_minor) + ", state " + q.state + ", terms " + join_map(q.terms) +
           ", timers " + timers_text(q.timers, quoted_at_ms) + ", moves " + moves_text(q.moves);
}

std::string describe(const sdk::PurchaseRequest& r) {
    return "purchase of " + r.product + " attributes " + join_map(r.attributes) + " numbers " + join_map(r.numbers);
}

std::string describe(const sdk::PolicyInfo& info) {
    std::ostringstream out;
    out << info.name << ' ' << info.version << " history " << info.history_window_ms;
    for (const sdk::ProductInfo& p : info.products) {
        out << " | " << p.name << ':';
        for (const auto& a : p.attributes) out << " a:" << a.name << (a.required ? "!" : "");
        for (const auto& n : p.numbers) out << " n:" << n.name << (n.required ? "!" : "");
        for (const auto& s : p.states) out << " s:" << s;
        for (const auto& s : p.final_states) out << " f:" << s;
        for (const auto& s : p.outcomes) out << " o:" << s;
        for (const auto& s : p.adjustable_terms) out << " t:" << s;
    }
    return out.str();
}

Called call_decide(const sdk::Policy& policy, const sdk::OrderView& order, const sdk::Event& event,
                   const sdk::Context& context) {
    Called called;
    try {
        called.decision = policy.decide(order, event, context);
    } catch (const std::exception& e) {
        called.threw = e.what();
        return called;
    } catch (...) {
        called.threw = "an exception that is not a std::exception";
        return called;
    }
    // A plugin exported with BILLING_EXPORT_POLICY catches its own exceptions and answers
    // with this code: the exception happened all the same.
    if (called.decision.code == sdk::plugin_error_code) called.threw = called.decision.message;
    return called;
}

Quoted call_quote(const sdk::Policy& policy, const sdk::PurchaseRequest& request, const sdk::Context& context) {
    Quoted quoted;
    try {
        quoted.quote = policy.quote(request, context);
    } catch (const std::exception& e) {
        quoted.threw = e.what();
        return quoted;
    } catch (...) {
        quoted.threw = "an exception that is not a std::exception";
        return quoted;
    }
    if (quoted.quote.code == sdk::plugin_error_code) quoted.threw = quoted.quote.message;
    return quoted;
}

std::shared_ptr<sdk::Policy> fresh_policy(const Subject& subject, Report& report, const std::string& check) {
    std::shared_ptr<sdk::Policy> policy;
    try {
        policy = subject.make ? subject.make() : nullptr;
    } catch (const std::exception& e) {
        report.failures.push_back({check, "factory_failed", std::string("making a policy object threw: ") + e.what()});
        return nullptr;
    } catch (...) {
        report.failures.push_back({check, "factory_failed", "making a policy object threw"});
        return nullptr;
    }
    if (!policy) report.failures.push_back({check, "factory_failed", "the factory made no policy object"});
    return policy;
}

std::optional<Instances> make_instances(const Subject& subject, Report& report, const std::string& check) {
    Instances instances;
    bool have_info = false;
    auto configured = [&](const Config& config) -> std::shared_ptr<sdk::Policy> {
        std::shared_ptr<sdk::Policy> policy = fresh_policy(subject, report, check);
        if (!policy) return nullptr;
        // The host reads info() once, before configure(), and decides by that answer: a
        // policy whose products or states depend on its configuration is not what it loads.
        const sdk::PolicyInfo before = policy->info();
        sdk::ConfigResult result;
        try {
            result = policy->configure(config.text, config.source);
        } catch (const std::exception& e) {
            result = {false, std::string("configure() threw: ") + e.what()};
        } catch (...) {
            result = {false, "configure() threw"};
        }
        if (!result.ok) {
            report.failures.push_back(
                {check, "config_refused",
                 "the policy refused the configuration " + config.source + " it is tested with: " + result.message});
            return nullptr;
        }
        if (describe(policy->info()) != describe(before)) {
            report.failures.push_back({check, "info_depends_on_config",
                                       "info() changed after configure(" + config.source +
                                           "); the host reads it once, before configuring, and decides by that"});
            return nullptr;
        }
        if (!have_info) {
            instances.info = before;
            have_info = true;
        }
        return policy;
    };
    auto first = configured(subject.config);
    if (!first) return std::nullopt;
    instances.by_config.push_back(first);
    for (const Config& other : subject.declaration.reconfigure) {
        auto policy = configured(other);
        if (!policy) return std::nullopt;
        instances.by_config.push_back(policy);
    }
    instances.twin = configured(subject.config);
    if (!instances.twin) return std::nullopt;
    return instances;
}

Judge::Judge(const Subject& subject, const Instances& instances, Report& report, std::string check, Scope scope)
    : subject_(subject), instances_(instances), report_(report), check_(std::move(check)), scope_(scope) {}

std::string Judge::config_name(std::size_t index) const {
    return index == 0 ? subject_.config.source : subject_.declaration.reconfigure.at(index - 1).source;
}

void Judge::fail(const std::string& fault, const std::string& message) {
    failed_ = true;
    if (!reported_.insert(fault).second) return;
    report_.failures.push_back({check_, fault, context_note.empty() ? message : message + "\n  " + context_note});
}

std::vector<History> histories(const sdk::PolicyInfo& info) {
    if (info.history_window_ms <= 0) return {History{}};
    return {History{}, History{1000, 1000}};
}

bool differs_by_tenant_rules(const sdk::Decision& a, const sdk::Decision& b) {
    auto by_tenant_rule = [](const sdk::Decision& d) {
        return !d.allowed &&
               (d.code == sdk::request_refusal::unknown_reason || d.code == sdk::request_refusal::evidence_required);
    };
    return a != b && (by_tenant_rule(a) || by_tenant_rule(b));
}

std::optional<sdk::Decision> Judge::decide(const ModelOrder& order, const sdk::Event& event, UtcMs now_ms,
                                           std::size_t config_index, MinorUnits customer_balance_minor,
                                           History history) {
    sdk::Context context;
    context.now_ms = now_ms;
    context.account_recent_refunds = history.refunds;
    context.account_recent_disputes = history.disputes;
    const sdk::Policy& policy = *instances_.by_config.at(config_index);
    std::string input =
        describe(event) + " at " + relative_time(now_ms, order.view.created_at_ms) + " on " + describe(order.view);
    if (history.refunds != 0 || history.disputes != 0) {
        input += " for an account with " + std::to_string(history.refunds) + " recent refunds and " +
                 std::to_string(history.disputes) + " recent disputes";
    }
    ++report_.decisions_checked;

    Called first = call_decide(policy, order.view, event, context);
    if (first.threw) {
        fail("threw", said_by("decide", *first.threw) + " on " + input);
        return std::nullopt;
    }
    const sdk::Decision& d = first.decision;
    if (scope_.determinism) {
        for (int again = 0; again < 2; ++again) {
            Called repeat = call_decide(policy, order.view, event, context);
            if (repeat.threw || repeat.decision != d) {
                fail("nondeterministic_decision",
                     "the same input gave two decisions: first " + describe(d, order.view.created_at_ms) + ", then " +
                         (repeat.threw ? "a throw" : describe(repeat.decision, order.view.created_at_ms)) +
                         "; input: " + input);
                return std::nullopt;
            }
        }
        Called twin = call_decide(*instances_.twin, order.view, event, context);
        if (config_index == 0 && (twin.threw || twin.decision != d)) {
            fail("nondeterministic_decision", "two objects with the same configuration decided differently: " +
                                                  describe(d, order.view.created_at_ms) + " and " +
                                                  describe(twin.decision, order.view.created_at_ms) +
                                                  "; input: " + input);
            return std::nullopt;
        }
    }
    if (scope_.terms_pinned) {
        // Every other configuration must decide the same on this order: decisions read the
        // order's pinned terms, never the configuration of the moment.
        for (std::size_t other = 0; other < instances_.by_config.size(); ++other) {
            if (other == config_index) continue;
            Called then = call_decide(*instances_.by_config[other], order.view, event, context);
            if (!then.threw && differs_by_tenant_rules(d, then.decision)) continue;
            if (then.threw || then.decision != d) {
                fail("terms_not_pinned", "the configuration changes decisions on orders sold earlier: " +
                                             describe(d, order.view.created_at_ms) + " under " +
                                             config_name(config_index) + ", " +
                                             describe(then.decision, order.view.created_at_ms) + " under " +
                                             config_name(other) + "; input: " + input);
                return std::nullopt;
            }
        }
    }
    if (!d.allowed) {
        if (d.code.empty() || d.code == "ok" || d.code.size() > decision_check::label_chars_max) {
            fail("denial_without_code", "a denial must carry a stable code other than ok, of 1 to 64 characters: " +
                                            describe(d, order.view.created_at_ms) + "; input: " + input);
            return std::nullopt;
        }
    }
    const sdk::ProductInfo* product = product_of(instances_.info, order.view.product);
    const auto garbage = not_from_a_host(order.view, product, now_ms);
    // A denial is held to the host's rules too (the available_at the API shows), on the orders
    // a host sends (not the robustness check's, whose terms are garbage) at a now it sends.
    if (d.allowed || (scope_.properties && !garbage && now_ms <= sdk::now_ms_max)) {
        // An order no host would send (see host_would_send) is garbage: only a denial is clean.
        if (garbage) {
            fail("garbage_allowed", "an event on an order no host would send (" + *garbage + ") was allowed: " +
                                        describe(d, order.view.created_at_ms) + "; input: " + input);
            return std::nullopt;
        }
        const decision_check::Facts facts{
            order.view, *product, order.is_final, customer_balance_minor, now_ms, event.type == sdk::event_type::timer};
        if (auto broken = decision_check::violation(d, facts)) {
            fail(rule_name(*broken), "the host would refuse this decision (" + *broken +
                                         "): " + describe(d, order.view.created_at_ms) + "; input: " + input);
            return std::nullopt;
        }
    }
    if (!scope_.properties) return d;
    for (const auto& property : subject_.declaration.properties) {
        const Step step{order.view, event, context, d, order.allowed_history};
        if (auto why = property->violated_by(step)) {
            std::string life;
            for (const std::string& line : order.trace) life += "\n    " + line;
            fail("property_violated", "property '" + property->name() + "' violated: " + *why + "; decision " +
                                          describe(d, order.view.created_at_ms) + "; input: " + input +
                                          "\n  the order's life:" + life);
            return std::nullopt;
        }
    }
    return d;
}

std::optional<sdk::Quote> Judge::quote(const sdk::PurchaseRequest& request, UtcMs now_ms, std::size_t config_index,
                                       bool must_refuse, MinorUnits customer_balance_minor) {
    sdk::Context context;
    context.now_ms = now_ms;
    const sdk::Policy& policy = *instances_.by_config.at(config_index);
    const std::string input = describe(request) + " at epoch ms " + std::to_string(now_ms);
    Quoted first = call_quote(policy, request, context);
    if (first.threw) {
        fail("threw", said_by("quote", *first.threw) + " on " + input);
        return std::nullopt;
    }
    const sdk::Quote& q = first.quote;
    Quoted again = call_quote(policy, request, context);
    Quoted twin = call_quote(*instances_.twin, request, context);
    if (again.threw || again.quote != q || (config_index == 0 && (twin.threw || twin.quote != q))) {
        fail("nondeterministic_quote", "the same purchase was quoted differently: " + describe(q, now_ms) + " and " +
                                           describe(again.threw ? twin.quote : again.quote, now_ms) +
                                           "; input: " + input);
        return std::nullopt;
    }
    if (!q.allowed) {
        if (q.code.empty() || q.code == "ok") {
            fail("refusal_without_code", "a refused purchase must carry a stable code other than ok: " +
                                             describe(q, now_ms) + "; input: " + input);
        }
        return std::nullopt;
    }
    if (must_refuse) {
        fail("accepted_invalid_purchase",
             "an invalid purchase was accepted: " + describe(q, now_ms) + "; input: " + input);
        return std::nullopt;
    }
    const sdk::ProductInfo* product = product_of(instances_.info, request.product);
    if (product == nullptr) {
        fail("accepted_invalid_purchase",
             "a purchase of an undeclared product was accepted: " + describe(q, now_ms) + "; input: " + input);
        return std::nullopt;
    }
    if (auto broken = decision_check::quote_violation(q, *product, customer_balance_minor, now_ms)) {
        fail(rule_name(*broken),
             "the host would refuse this sale (" + *broken + "): " + describe(q, now_ms) + "; input: " + input);
        return std::nullopt;
    }
    if (auto insane = insane_term(q.terms)) {
        fail("term_insane", *insane + ": " + describe(q, now_ms) + "; input: " + input);
        return std::nullopt;
    }
    return q;
}

std::optional<std::string> apply(ModelOrder& order, Ledger& ledger, const sdk::Decision& d,
                                 const sdk::ProductInfo& product, const sdk::Event& event, UtcMs now_ms) {
    sdk::OrderView& v = order.view;
    MinorUnits& customer = ledger.customers.at(order.customer);
    for (const sdk::MoneyMove& m : d.moves) {
        switch (m.kind) {
            case sdk::MoveKind::charge:
                customer -= m.amount_minor;
                ledger.escrow += m.amount_minor;
                v.charged_minor += m.amount_minor;
                break;
            case sdk::MoveKind::capture:
                ledger.escrow -= m.amount_minor;
                ledger.revenue += m.amount_minor;
                v.captured_minor += m.amount_minor;
                break;
            case sdk::MoveKind::refund:
                ledger.escrow -= m.amount_minor;
                customer += m.amount_minor;
                v.refunded_from_escrow_minor += m.amount_minor;
                break;
            case sdk::MoveKind::refund_captured:
                ledger.revenue -= m.amount_minor;
                customer += m.amount_minor;
                v.refunded_from_revenue_minor += m.amount_minor;
                break;
        }
    }
    if (!d.new_state.empty()) v.state = d.new_state;
    for (const auto& [key, value] : d.set_attributes) v.attributes[key] = value;
    for (const auto& [key, value] : d.set_terms) v.terms[key] = value;
    v.updated_at_ms = std::max(v.updated_at_ms, now_ms);
    for (const std::string& name : d.drop_timers) order.timers.erase(name);
    for (const sdk::TimerRequest& t : d.add_timers) order.timers[t.name] = t.due_at_ms;
    order.allowed_history.push_back(event.type);
    order.trace.push_back(relative_time(now_ms, v.created_at_ms) + " " + describe(event) + ": " +
                          describe(d, v.created_at_ms));
    const bool was_final = order.is_final;
    order.is_final = contains(product.final_states, v.state);
    if (order.is_final && !was_final && v.held_minor() != 0) {
        return "order " + v.id + " entered final state " + v.state + " with " + std::to_string(v.held_minor()) +
               " still in escrow: only refund_captured may move money on a final order, so it can never be "
               "released";
    }
    return std::nullopt;
}

ModelOrder open_order(const sdk::PurchaseRequest& request, const sdk::Quote& q, const sdk::ProductInfo& product,
                      std::string id, UtcMs now_ms, std::size_t config_index, std::size_t customer, Ledger& ledger,
                      std::optional<std::string>* escrow_not_settled) {
    ModelOrder order;
    order.view.id = std::move(id);
    order.view.product = request.product;
    order.view.state = q.state;
    order.view.attributes = q.attributes;
    order.view.terms = q.terms;
    order.view.price_minor = q.price_minor;
    order.view.charged_minor = q.price_minor;
    order.view.created_at_ms = now_ms;
    order.view.updated_at_ms = now_ms;
    order.config_index = config_index;
    order.customer = customer;
    ledger.customers.at(customer) -= q.price_minor;
    ledger.escrow += q.price_minor;
    for (const sdk::TimerRequest& t : q.timers) order.timers[t.name] = t.due_at_ms;
    order.allowed_history.push_back("purchase");
    order.trace.push_back("+0.000s " + describe(request) + ": " + describe(q, now_ms));
    // The quote's own moves (e.g. an immediate capture) are applied like a decision's.
    sdk::Decision moves;
    moves.moves = q.moves;
    sdk::Event purchase;
    purchase.type = "purchase";
    purchase.actor = actor::customer;
    order.is_final = false;
    const auto unsettled = apply(order, ledger, moves, product, purchase, now_ms);
    order.allowed_history.pop_back();
    order.trace.pop_back();
    if (unsettled) *escrow_not_settled = *unsettled;
    return order;
}

std::vector<Sale> accepted_sales(Judge& judge, UtcMs now_ms) {
    std::vector<Sale> sales;
    const Declaration& declared = judge.subject().declaration;
    if (!declared.purchases.empty()) {
        for (const SamplePurchase& sample : declared.purchases) {
            if (auto q = judge.quote(sample.request, now_ms, 0)) {
                sales.push_back({sample.request, *q});
                continue;
            }
            if (judge.failed()) continue;  // it broke a rule, already reported
            sdk::Context context;
            context.now_ms = now_ms;
            const Quoted refused = call_quote(*judge.policy(0), sample.request, context);
            judge.fail("declared_purchase_refused",
                       "the purchase declared at " + sample.where + " was refused: " + describe(refused.quote, now_ms));
        }
        return sales;
    }
    // Nothing declared: plausible values for each required field, first accepted wins.
    static const std::vector<std::string> words = {"us", "telegram", "gb", "test", "a", "1"};
    static const std::vector<std::int64_t> numbers = {24, 1, 48, 168, 720, 1000};
    for (const sdk::ProductInfo& product : judge.info().products) {
        for (std::size_t word = 0; word < words.size(); ++word) {
            for (std::size_t number = 0; number < numbers.size(); ++number) {
                sdk::PurchaseRequest request;
                request.product = product.name;
                for (const sdk::AttributeSpec& a : product.attributes) {
                    if (a.required)
                        request.attributes[a.name] = words[(word + request.attributes.size()) % words.size()];
                }
                for (const sdk::AttributeSpec& n : product.numbers) {
                    if (n.required) request.numbers[n.name] = numbers[number];
                }
                if (auto q = judge.quote(request, now_ms, 0)) {
                    sales.push_back({request, *q});
                    word = words.size();
                    break;
                }
            }
        }
    }
    return sales;
}

std::vector<sdk::Event> customer_events(const ModelOrder& order) {
    std::vector<sdk::Event> events;
    auto event = [&](const char* type, const char* by) -> sdk::Event& {
        sdk::Event e;
        e.type = type;
        e.actor = by;
        events.push_back(e);
        return events.back();
    };
    event(sdk::event_type::cancel, actor::customer);
    // A code, shaped as the host's route sends it ({service}): from the order's own service if
    // it has one, and from a service that matches nothing.
    const auto service = order.view.attributes.find("service");
    event(sdk::event_type::message, actor::provider).text = {
        {"service", service != order.view.attributes.end() ? service->second : "conformance-service"}};
    event(sdk::event_type::message, actor::provider).text = {{"service", "conformance-other"}};
    const sdk::OrderView& v = order.view;
    for (MinorUnits amount : {MinorUnits{1}, v.held_minor(), v.refundable_from_revenue_minor(), v.charged_minor}) {
        auto& refund = event(sdk::event_type::support_refund, actor::support);
        refund.text = {{"reason", "provider_error"}, {"note", "conformance kit"}};
        refund.numbers = {{"amount_minor", amount}};
    }
    // Without an amount: all that is left, as the host's route sends it.
    event(sdk::event_type::support_refund, actor::support).text = {{"reason", "provider_error"}};
    event(sdk::event_type::dispute_opened, actor::customer).text = {
        {"description", "no code arrived"}, {"evidence_url", "https://example.com/recording.mp4"}};
    event(sdk::event_type::dispute_opened, actor::customer).text = {{"description", "no code arrived"}};
    auto& resolve_refund = event(sdk::event_type::dispute_resolved, actor::support);
    resolve_refund.text = {{"resolution", "refund"}, {"note", "conformance kit"}};
    resolve_refund.numbers = {{"amount_minor", v.charged_minor}};
    event(sdk::event_type::dispute_resolved, actor::support).text = {{"resolution", "reject"}, {"note", "kit"}};
    event(sdk::event_type::extend, actor::customer).numbers = {{"hours", 24}};
    event(unknown_event_type, actor::customer);
    return events;
}

sdk::Event timer_event(const std::string& name) {
    sdk::Event e;
    e.type = sdk::event_type::timer;
    e.timer = name;
    e.actor = actor::system;
    return e;
}

const sdk::ProductInfo* product_of(const sdk::PolicyInfo& info, const std::string& name) {
    return decision_check::find_product(info, name);
}

}  // namespace billing::conformance::detail
