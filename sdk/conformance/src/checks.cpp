// The kit's checks but the simulation (simulate.cpp), and run_all.
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "billing/conformance/kit.hpp"
#include "driver.hpp"
#include "explore.hpp"

namespace billing::conformance {

using namespace detail;

namespace {

constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

void fail(Report& report, const std::string& check, const std::string& fault, const std::string& message) {
    report.failures.push_back({check, fault, message});
}

bool valid_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

template <class Names>
std::optional<std::string> duplicate_or_empty(const Names& names) {
    std::set<std::string> seen;
    for (const std::string& name : names) {
        if (name.empty()) return std::string("an empty name");
        if (!seen.insert(name).second) return "'" + name + "' twice";
    }
    return std::nullopt;
}

std::vector<std::string> spec_names(const std::vector<sdk::AttributeSpec>& specs) {
    std::vector<std::string> names;
    for (const auto& spec : specs) names.push_back(spec.name);
    return names;
}

// Runs `body` with configured instances and a Judge of `scope`, unless the instances cannot be made.
template <class Body>
Report judged(const Subject& subject, const std::string& check, Scope scope, Body body) {
    Report report;
    auto instances = make_instances(subject, report, check);
    if (!instances) return report;
    Judge judge(subject, *instances, report, check, scope);
    body(judge, report);
    return report;
}

// Garbage configurations: each must be refused with a message, without a crash.
std::vector<std::pair<std::string, std::string>> garbage_configs(const std::string& good) {
    return {
        {"not TOML", "this is not [toml"},
        {"a key without a value", "window = \n"},
        {"binary bytes", std::string("\x7f"
                                     "ELF\x02\x01\x01\0\0\xff\xfe",
                                     11)},
        {"a megabyte of one line", std::string(1 << 20, 'x')},
        {"arrays nested 5000 deep", "a = " + std::string(5000, '[') + std::string(5000, ']') + "\n"},
        // Before the first table, so that it cannot land in a table of free-form names.
        {"its own configuration with an unknown top-level key", "conformance_unknown_key_7f3a = 1\n" + good},
    };
}

// Its own configuration with the first integer value made a float, or nullopt when it has no
// integer value. Only a note when accepted: the contract has no floating point, but a policy's
// TOML is its own and may have a key that really is one.
std::optional<std::string> with_a_float(const std::string& good) {
    std::size_t line_start = 0;
    while (line_start < good.size()) {
        const std::size_t line_end = std::min(good.find('\n', line_start), good.size());
        const std::string line = good.substr(line_start, line_end - line_start);
        const std::size_t equals = line.find('=');
        if (equals != std::string::npos && line.find('#') > equals) {
            std::size_t digits = line.find_first_not_of(" \t", equals + 1);
            std::size_t end = digits;
            while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
            const std::size_t rest = line.find_first_not_of(" \t", end);
            if (digits != std::string::npos && end > digits && (rest == std::string::npos || line[rest] == '#')) {
                std::string changed = good;
                changed.insert(line_start + end, ".5");
                return changed;
            }
        }
        line_start = line_end + 1;
    }
    return std::nullopt;
}

// "line:col" somewhere in a message, as the contract asks of a refused configuration.
bool names_a_position(const std::string& message) {
    for (std::size_t i = 0; i + 2 < message.size(); ++i) {
        if (message[i] >= '0' && message[i] <= '9' && message[i + 1] == ':' && message[i + 2] >= '0' &&
            message[i + 2] <= '9') {
            return true;
        }
    }
    return false;
}


}  // namespace

Report check_identity(const Subject& subject) {
    const std::string check = "identity";
    Report report;
    std::shared_ptr<sdk::Policy> policy = fresh_policy(subject, report, check);
    if (!policy) return report;
    const sdk::PolicyInfo info = policy->info();
    if (describe(info) != describe(policy->info())) {
        fail(report, check, "info_unstable", "info() answered differently on two calls");
    }
    if (!valid_name(info.name)) {
        fail(report, check, "bad_name", "the policy name '" + info.name + "' is not 1-64 of a-z, 0-9, '_' and '-'");
    }
    if (info.version.empty()) fail(report, check, "bad_version", "the policy has no version");
    // Stored with each order and event as name@version.
    if (info.name.size() + 1 + info.version.size() > 140) {
        fail(report, check, "label_too_long", "name@version is longer than 140 characters");
    }
    if (subject.descriptor) {
        const Descriptor& d = *subject.descriptor;
        if (d.name != info.name || d.version != info.version) {
            fail(report, check, "info_mismatch",
                 "info() says " + info.name + " " + info.version + ", the descriptor " + d.name + " " + d.version);
        }
        if (d.abi_major != sdk::abi_major || d.abi_minor > sdk::abi_minor || d.build_key != sdk::build_key) {
            fail(report, check, "abi_mismatch",
                 "built for ABI " + std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor) + " " +
                     d.build_key + ", the kit speaks " + std::to_string(sdk::abi_major) + "." +
                     std::to_string(sdk::abi_minor) + " " + sdk::build_key);
        }
        report.notes.push_back("plugin " + d.name + " " + d.version + ", ABI " + std::to_string(d.abi_major) + "." +
                               std::to_string(d.abi_minor) + ", build key " + d.build_key + ", file " + d.file +
                               " (sha256 " + d.sha256 + ")");
    }
    if (info.products.empty()) fail(report, check, "no_products", "the policy declares no product");
    std::vector<std::string> product_names;
    for (const sdk::ProductInfo& p : info.products) {
        product_names.push_back(p.name);
        const std::string where = "product '" + p.name + "': ";
        if (!valid_name(p.name))
            fail(report, check, "bad_product", where + "the name is not 1-64 of a-z, 0-9, '_', '-'");
        if (p.states.empty()) fail(report, check, "bad_product", where + "declares no state");
        if (auto bad = duplicate_or_empty(p.states)) fail(report, check, "bad_product", where + "states have " + *bad);
        for (const auto* labels : {&p.states, &p.outcomes}) {
            for (const std::string& label : *labels) {
                if (label.size() > decision_check::label_chars_max) {
                    fail(report, check, "label_too_long",
                         where + "'" + label.substr(0, 20) + "...' is longer than " +
                             std::to_string(decision_check::label_chars_max) +
                             " characters (states and outcomes are stored in columns that wide)");
                }
            }
        }
        for (const std::string& final_state : p.final_states) {
            if (std::find(p.states.begin(), p.states.end(), final_state) == p.states.end()) {
                fail(report, check, "bad_product", where + "final state " + final_state + " is not one of its states");
            }
        }
        if (auto bad = duplicate_or_empty(p.outcomes))
            fail(report, check, "bad_product", where + "outcomes have " + *bad);
        if (auto bad = duplicate_or_empty(spec_names(p.attributes))) {
            fail(report, check, "bad_product", where + "attributes have " + *bad);
        }
        if (auto bad = duplicate_or_empty(spec_names(p.numbers))) {
            fail(report, check, "bad_product", where + "numbers have " + *bad);
        }
        if (auto bad = duplicate_or_empty(p.adjustable_terms)) {
            fail(report, check, "bad_product", where + "adjustable terms have " + *bad);
        }
    }
    if (auto bad = duplicate_or_empty(product_names)) fail(report, check, "bad_product", "products have " + *bad);
    if (info.history_window_ms < 0) fail(report, check, "bad_history_window", "history_window_ms is negative");
    return report;
}

Report check_configure(const Subject& subject) {
    const std::string check = "configure";
    Report report;
    auto instances = make_instances(subject, report, check);
    if (!instances) return report;
    Judge judge(subject, *instances, report, check, Scope{});
    const std::vector<Sale> sales = accepted_sales(judge, epoch_ms);
    // Each on an object already configured: a refusal must leave it as it was.
    auto refused_cleanly = [&](const std::string& what, const std::string& text) -> std::optional<sdk::ConfigResult> {
        std::shared_ptr<sdk::Policy> policy = fresh_policy(subject, report, check);
        if (!policy) return std::nullopt;
        if (!policy->configure(subject.config.text, subject.config.source).ok) return std::nullopt;  // reported
        sdk::ConfigResult result;
        try {
            result = policy->configure(text, subject.config.source);
        } catch (const std::exception& e) {
            fail(report, check, "threw", "configure() threw on garbage (" + what + "): " + e.what());
            return std::nullopt;
        } catch (...) {
            fail(report, check, "threw", "configure() threw on garbage (" + what + ")");
            return std::nullopt;
        }
        if (result.message.find("configure() threw") != std::string::npos) {
            fail(report, check, "threw", "configure() threw on garbage (" + what + "): " + result.message);
            return std::nullopt;
        }
        if (result.ok) return result;
        if (result.message.find(subject.config.source) == std::string::npos && !names_a_position(result.message)) {
            fail(report, check, "config_message_unlocated",
                 "a refused configuration's message must name the file or line:col for the operator; refusing " + what +
                     " it said: " + result.message);
        }
        sdk::Context context;
        context.now_ms = epoch_ms;
        for (const Sale& sale : sales) {
            Quoted after = call_quote(*policy, sale.request, context);
            if (after.threw || after.quote != sale.quote) {
                fail(report, check, "refused_config_changed_object",
                     "after refusing " + what + ", the object quotes " + describe(sale.request) + " as " +
                         describe(after.quote, epoch_ms) + " instead of " + describe(sale.quote, epoch_ms));
                break;
            }
        }
        return result;
    };
    for (const auto& [what, text] : garbage_configs(subject.config.text)) {
        auto result = refused_cleanly(what, text);
        if (result && result->ok)
            fail(report, check, "garbage_config_accepted", "configure() accepted garbage (" + what + ")");
    }
    if (auto floated = with_a_float(subject.config.text)) {
        auto result = refused_cleanly("a float for its first integer", *floated);
        if (result && result->ok) {
            report.notes.push_back(
                "configure() accepted its own configuration with a float for its first integer "
                "value; the contract has no floating point (fine only if that key is meant to be one)");
        }
    }
    // An empty document may be a complete configuration (all defaults) or refused; either way cleanly.
    std::shared_ptr<sdk::Policy> policy = fresh_policy(subject, report, check);
    if (!policy) return report;
    try {
        const sdk::ConfigResult empty = policy->configure("", subject.config.source);
        if (empty.message.find("configure() threw") != std::string::npos) {
            fail(report, check, "threw", "configure() threw on an empty document: " + empty.message);
        }
    } catch (...) {
        fail(report, check, "threw", "configure() threw on an empty document");
    }
    return report;
}

Report check_quotes(const Subject& subject) {
    return judged(subject, "quotes", Scope{}, [&](Judge& judge, Report& report) {
        const std::vector<Sale> sales = accepted_sales(judge, epoch_ms);
        if (sales.empty()) {
            judge.fail("no_purchase_accepted", "no purchase was accepted: declare a [[purchase]] the policy accepts");
            return;
        }
        std::set<std::string> sold;
        for (const Sale& sale : sales) sold.insert(sale.request.product);
        for (const sdk::ProductInfo& product : judge.info().products) {
            if (sold.count(product.name) == 0) {
                report.notes.push_back("no purchase of product " + product.name +
                                       " was accepted; declare one to have its orders checked");
            }
        }
        sdk::PurchaseRequest unknown;
        unknown.product = "conformance_unknown_product";
        judge.quote(unknown, epoch_ms, 0, /*must_refuse=*/true);
        for (const Sale& sale : sales) {
            const sdk::ProductInfo* product = product_of(judge.info(), sale.request.product);
            // Each required field left out must be refused.
            for (const sdk::AttributeSpec& a : product->attributes) {
                if (!a.required) continue;
                sdk::PurchaseRequest missing = sale.request;
                missing.attributes.erase(a.name);
                judge.quote(missing, epoch_ms, 0, true);
            }
            for (const sdk::AttributeSpec& n : product->numbers) {
                if (!n.required) continue;
                sdk::PurchaseRequest missing = sale.request;
                missing.numbers.erase(n.name);
                judge.quote(missing, epoch_ms, 0, true);
            }
            // Garbage values and extreme times: refused or sane, never a throw.
            for (const auto& [name, value] : sale.request.attributes) {
                for (const std::string& garbage : {std::string(), std::string(100000, 'a'),
                                                   std::string("\xff\xfe\0x", 4), std::string("  ") + value + " "}) {
                    sdk::PurchaseRequest bad = sale.request;
                    bad.attributes[name] = garbage;
                    judge.quote(bad, epoch_ms, 0);
                }
            }
            for (const auto& [name, value] : sale.request.numbers) {
                for (std::int64_t garbage : {i64_min, std::int64_t{-1}, std::int64_t{0}, i64_max, value / 2 + 1}) {
                    sdk::PurchaseRequest bad = sale.request;
                    bad.numbers[name] = garbage;
                    judge.quote(bad, epoch_ms, 0);
                }
            }
            for (UtcMs now_ms : {i64_min, std::int64_t{-1}, std::int64_t{0}, i64_max - 1, i64_max}) {
                judge.quote(sale.request, now_ms, 0);
            }
        }
        report.notes.push_back(std::to_string(sales.size()) + " sample purchases accepted");
        std::map<std::string, sdk::Numbers> terms;
        for (const Sale& sale : sales) terms.emplace(sale.request.product, sale.quote.terms);
        for (const auto& property : subject.declaration.properties) {
            if (auto wrong = property->misdeclared(judge.info(), terms)) {
                judge.fail("declaration_invalid", "property '" + property->name() + "' cannot be checked: " + *wrong);
            }
        }
    });
}

Report check_reachable(const Subject& subject) {
    return judged(subject, "reachable", Scope{}, [&](Judge& judge, Report& report) {
        const Explored explored = explore(judge);
        report.notes.push_back(reached_note(explored, judge.info()));
    });
}

Report check_determinism(const Subject& subject) {
    return judged(subject, "determinism", Scope{true, false}, [&](Judge& judge, Report&) { explore(judge); });
}

Report check_terms_pinned(const Subject& subject) {
    if (subject.declaration.reconfigure.empty()) {
        Report report;
        report.skipped.push_back(
            "terms_pinned: no other configuration declared, so reconfiguring could not be tried; add a "
            "[[reconfigure]] with different windows and prices to the declaration");
        return report;
    }
    return judged(subject, "terms_pinned", Scope{false, true}, [&](Judge& judge, Report& report) {
        explore(judge);
        // The same object reconfigured, too: a policy that keeps something of its old
        // configuration in members must still decide old orders by their terms.
        std::shared_ptr<sdk::Policy> policy = fresh_policy(subject, report, "terms_pinned");
        if (!policy || !policy->configure(subject.config.text, subject.config.source).ok) return;  // reported
        Report scratch;
        auto base = make_instances(subject, scratch, "terms_pinned");
        if (!base) return;
        std::vector<std::tuple<ModelOrder, sdk::Event, UtcMs, sdk::Decision>> seen;
        Judge recorder(subject, *base, scratch, "terms_pinned", Scope{});
        explore(recorder, [&](const ModelOrder& order) {
            for (const sdk::Event& event : customer_events(order)) {
                sdk::Context context;
                context.now_ms = order.view.updated_at_ms;
                seen.emplace_back(order, event, context.now_ms,
                                  call_decide(*policy, order.view, event, context).decision);
            }
        });
        for (const Config& other : subject.declaration.reconfigure) {
            if (!policy->configure(other.text, other.source).ok) {
                judge.fail("config_refused", "the same object refused " + other.source + " after " +
                                                 subject.config.source + ", though a fresh one accepts it");
                return;
            }
            for (const auto& [order, event, now_ms, decided] : seen) {
                sdk::Context context;
                context.now_ms = now_ms;
                const Called again = call_decide(*policy, order.view, event, context);
                if (again.decision != decided && !differs_by_tenant_rules(again.decision, decided)) {
                    judge.fail("terms_not_pinned", "after configure(" + other.source + ") the same object decides " +
                                                       describe(again.decision, order.view.created_at_ms) +
                                                       " instead of " + describe(decided, order.view.created_at_ms) +
                                                       " on " + describe(event) + " on " + describe(order.view));
                    return;
                }
            }
        }
        report.notes.push_back("decisions compared under " +
                               std::to_string(1 + subject.declaration.reconfigure.size()) +
                               " configurations, and on one object reconfigured");
    });
}

Report check_robustness(const Subject& subject) {
    return judged(subject, "robustness", Scope{false, false, false}, [&](Judge& judge, Report& report) {
        // Base orders: one per (product, state) the policy reaches.
        std::vector<ModelOrder> bases;
        std::set<std::string> have;
        Report scratch;
        auto instances = make_instances(subject, scratch, "robustness");
        if (!instances) return;
        Judge walker(subject, *instances, scratch, "robustness", Scope{});
        explore(walker, [&](const ModelOrder& order) {
            if (have.insert(order.view.product + "/" + order.view.state).second) bases.push_back(order);
        });
        std::vector<std::pair<std::string, std::function<void(ModelOrder&, sdk::Event&, UtcMs&)>>> mutations = {
            {"no attributes", [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.attributes.clear(); }},
            {"no terms", [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.terms.clear(); }},
            {"unknown state", [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.state = "conformance_unknown_state"; }},
            {"empty state", [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.state.clear(); }},
            {"unknown product",
             [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.product = "conformance_unknown_product"; }},
            {"charged at the 64-bit maximum",
             [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.charged_minor = i64_max; }},
            {"captured above charged",
             [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.captured_minor = o.view.charged_minor + 1; }},
            {"negative refunded", [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.refunded_from_escrow_minor = -1; }},
            {"amounts at the 64-bit minimum",
             [](ModelOrder& o, sdk::Event&, UtcMs&) {
                 o.view.captured_minor = i64_min;
                 o.view.refunded_from_revenue_minor = i64_min;
             }},
            {"created at the 64-bit maximum",
             [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.created_at_ms = i64_max; }},
            {"created at the 64-bit minimum",
             [](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.created_at_ms = i64_min; }},
            {"now at the 64-bit minimum", [](ModelOrder&, sdk::Event&, UtcMs& now) { now = i64_min; }},
            {"now before the purchase", [](ModelOrder& o, sdk::Event&, UtcMs& now) { now = o.view.created_at_ms - 1; }},
            {"now at the 64-bit maximum", [](ModelOrder&, sdk::Event&, UtcMs& now) { now = i64_max; }},
            {"event without text and numbers",
             [](ModelOrder&, sdk::Event& e, UtcMs&) {
                 e.text.clear();
                 e.numbers.clear();
             }},
            {"event with garbage text",
             [](ModelOrder&, sdk::Event& e, UtcMs&) {
                 for (auto& [key, value] : e.text) value = std::string("\xff\0\xfe", 3) + std::string(70000, 'z');
                 e.text["service"] = "";
             }},
            {"event numbers at the 64-bit extremes",
             [](ModelOrder&, sdk::Event& e, UtcMs&) {
                 e.numbers["amount_minor"] = i64_max;
                 e.numbers["hours"] = i64_min;
             }},
            {"negative event numbers",
             [](ModelOrder&, sdk::Event& e, UtcMs&) {
                 e.numbers["amount_minor"] = -1;
                 e.numbers["hours"] = -1;
             }},
            {"event type empty", [](ModelOrder&, sdk::Event& e, UtcMs&) { e.type.clear(); }},
            {"event type in capitals",
             [](ModelOrder&, sdk::Event& e, UtcMs&) {
                 for (char& c : e.type) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
             }},
        };
        for (const auto& [name, value] : bases.empty() ? sdk::Numbers{} : bases.front().view.terms) {
            for (std::int64_t extreme : {i64_min, std::int64_t{-1}, std::int64_t{0}, i64_max}) {
                const std::string term = name;
                mutations.emplace_back(
                    "term " + term + " = " + std::to_string(extreme),
                    [term, extreme](ModelOrder& o, sdk::Event&, UtcMs&) { o.view.terms[term] = extreme; });
            }
        }
        std::size_t tried = 0;
        for (const ModelOrder& base : bases) {
            std::vector<sdk::Event> events = customer_events(base);
            for (const auto& [name, due] : base.timers) events.push_back(timer_event(name));
            events.push_back(timer_event(""));
            for (const auto& [what, mutate] : mutations) {
                for (const sdk::Event& original : events) {
                    ModelOrder order = base;
                    sdk::Event event = original;
                    UtcMs now_ms = base.view.updated_at_ms;
                    mutate(order, event, now_ms);
                    judge.context_note = "(robustness: " + what + ")";
                    judge.decide(order, event, now_ms, 0, customer_start_minor);
                    ++tried;
                    if (judge.failed()) return;
                }
            }
        }
        report.notes.push_back(std::to_string(tried) + " garbage inputs on " + std::to_string(bases.size()) +
                               " reachable orders, each answered cleanly");
    });
}

Report run_all(const Subject& subject, const Options& options,
               const std::function<void(const std::string& check)>& progress) {
    Report report;
    // A fault found by an earlier check is found again by the later ones that walk the same
    // orders; the report names it once, with the first input that showed it.
    auto step = [&](const char* name, const std::function<Report()>& check) {
        if (progress) progress(name);
        Report found = check();
        std::erase_if(found.failures, [&](const Finding& f) {
            return std::any_of(report.failures.begin(), report.failures.end(),
                               [&](const Finding& earlier) { return earlier.fault == f.fault; });
        });
        report.merge(found);
    };
    step("identity", [&] { return check_identity(subject); });
    if (!report.passed()) return report;
    step("configure", [&] { return check_configure(subject); });
    if (std::any_of(report.failures.begin(), report.failures.end(),
                    [](const Finding& f) { return f.fault == "config_refused" || f.fault == "factory_failed"; })) {
        return report;
    }
    step("quotes", [&] { return check_quotes(subject); });
    step("reachable", [&] { return check_reachable(subject); });
    step("determinism", [&] { return check_determinism(subject); });
    step("terms_pinned", [&] { return check_terms_pinned(subject); });
    step("robustness", [&] { return check_robustness(subject); });
    step("extremes", [&] { return check_extremes(subject); });
    step("simulation", [&] { return simulate(subject, options); });
    return report;
}

void Report::merge(const Report& other) {
    failures.insert(failures.end(), other.failures.begin(), other.failures.end());
    notes.insert(notes.end(), other.notes.begin(), other.notes.end());
    skipped.insert(skipped.end(), other.skipped.begin(), other.skipped.end());
    decisions_checked += other.decisions_checked;
}

std::string Report::text() const {
    std::string out;
    for (const Finding& f : failures) out += "FAIL [" + f.check + "] " + f.fault + ": " + f.message + "\n";
    for (const std::string& s : skipped) out += "SKIPPED " + s + "\n";
    for (const std::string& n : notes) out += "note: " + n + "\n";
    out += std::to_string(decisions_checked) + " decisions checked; " +
           (passed() ? (skipped.empty() ? "PASSED" : "PASSED with checks skipped (see above)")
                     : std::to_string(failures.size()) + " failures") +
           "\n";
    return out;
}

}  // namespace billing::conformance
