// The kit's model of the host: the orders it would keep, the accounts money moves between, and
// the Judge that asks the policy and holds each answer to every rule. Shared by the checks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "billing/conformance/kit.hpp"
#include "billing/rules/decision_check.hpp"

namespace billing::conformance::detail {

using sdk::MinorUnits;
using sdk::UtcMs;

// 2027-01-01T00:00:00Z: every run starts its clock here, so that a seed replays exactly.
inline constexpr UtcMs epoch_ms = 1'798'761'600'000;
// What each customer of the model starts with: enough for any price the rules allow.
inline constexpr MinorUnits customer_start_minor = decision_check::amount_minor_max;

// The event types the kit sends, and who sends each (as the host's routes do).
namespace actor {
inline constexpr const char* customer = "customer";
inline constexpr const char* provider = "provider";  // a code arrives from the number provider
inline constexpr const char* support = "support";
inline constexpr const char* system = "system";  // timers
}  // namespace actor
inline constexpr const char* unknown_event_type = "conformance_unknown_event";

// One order as the host would keep it.
struct ModelOrder {
    sdk::OrderView view;
    bool is_final = false;
    std::map<std::string, UtcMs> timers;       // pending, by name
    std::vector<std::string> allowed_history;  // "purchase", then each allowed event's type
    std::vector<std::string> trace;            // the order's life, for a failure's message
    std::size_t config_index = 0;              // the configuration it was sold under
    std::size_t customer = 0;
};

// The money of the model: customers, escrow and revenue, whose sum never changes.
struct Ledger {
    std::vector<MinorUnits> customers;
    MinorUnits escrow = 0;
    MinorUnits revenue = 0;

    [[nodiscard]] MinorUnits total() const;
};

// "+1m59.999s" from the order's purchase: windows read at a glance in failure messages.
std::string relative_time(UtcMs at_ms, UtcMs created_at_ms);
std::string describe(const sdk::OrderView& order);
std::string describe(const sdk::Event& event);
// Timers are shown relative to `created_at_ms` (the order's purchase, or the quote's time).
std::string describe(const sdk::Decision& decision, UtcMs created_at_ms);
std::string describe(const sdk::Quote& quote, UtcMs quoted_at_ms);
std::string describe(const sdk::PurchaseRequest& request);
std::string describe(const sdk::PolicyInfo& info);

// The account's recent history the host counts into Context::account_recent_* (over the
// policy's PolicyInfo::history_window_ms; always 0 when that is 0).
struct History {
    std::int64_t refunds = 0;
    std::int64_t disputes = 0;
};
// The histories the kit decides each event under: none, and for a policy that weighs history
// (history_window_ms > 0) also one above any sensible threshold.
std::vector<History> histories(const sdk::PolicyInfo& info);

// Whether two decisions on one input differ only as the tenant's current rules may make them:
// one of them is a denial unknown_reason or evidence_required, the SDK's request refusals that
// by contract come from the tenant's current rules (the reasons support may give, when a
// dispute needs evidence), not from terms sold with the order. terms_pinned does not count
// such a difference as a fault.
bool differs_by_tenant_rules(const sdk::Decision& a, const sdk::Decision& b);

// Calls that never let an exception out: a throw is reported as the fault "threw".
struct Called {
    sdk::Decision decision;
    std::optional<std::string> threw;  // what() of an exception, or the guard's plugin_error message
};
Called call_decide(const sdk::Policy& policy, const sdk::OrderView& order, const sdk::Event& event,
                   const sdk::Context& context);
struct Quoted {
    sdk::Quote quote;
    std::optional<std::string> threw;
};
Quoted call_quote(const sdk::Policy& policy, const sdk::PurchaseRequest& request, const sdk::Context& context);

// Fresh configured objects: [0] with the subject's configuration, then one per declared
// reconfiguration; `twin` is a second object with [0]'s configuration (determinism across objects).
struct Instances {
    std::vector<std::shared_ptr<sdk::Policy>> by_config;
    std::shared_ptr<sdk::Policy> twin;
    sdk::PolicyInfo info;
};
// A new unconfigured object, or nullptr and a factory_failed failure.
std::shared_ptr<sdk::Policy> fresh_policy(const Subject& subject, Report& report, const std::string& check);
// nullopt (and a failure in the report) when an object cannot be made or configured.
std::optional<Instances> make_instances(const Subject& subject, Report& report, const std::string& check);

// Which rules a Judge reports. Validity (the host's rules, clean denials, properties) is always on.
struct Scope {
    bool determinism = false;
    bool terms_pinned = false;
    // The plugin's properties speak of orders a host sends; the robustness check's garbage is not one.
    bool properties = true;
};

// Asks the policy and judges the answer. A failure is recorded once per fault name and check
// (the first input that broke it is the one worth reading), so a broken plugin gives a short report.
class Judge {
public:
    Judge(const Subject& subject, const Instances& instances, Report& report, std::string check, Scope scope);

    // The decision on `event` at `now_ms`, by the object of configuration `config_index`, after
    // every check; nullopt when it broke a rule (then the caller must not apply it).
    std::optional<sdk::Decision> decide(const ModelOrder& order, const sdk::Event& event, UtcMs now_ms,
                                        std::size_t config_index, MinorUnits customer_balance_minor,
                                        History history = {});

    // A quote by the object of `config_index`, checked (clean refusal, host's quote rules, sane
    // terms, the same on every call); nullopt when refused or broken.
    // `customer_balance_minor`: what the buyer has, for the quote's own moves.
    std::optional<sdk::Quote> quote(const sdk::PurchaseRequest& request, UtcMs now_ms, std::size_t config_index,
                                    bool must_refuse = false, MinorUnits customer_balance_minor = customer_start_minor);

    void fail(const std::string& fault, const std::string& message);
    [[nodiscard]] bool failed() const { return failed_; }
    [[nodiscard]] const sdk::PolicyInfo& info() const { return instances_.info; }
    [[nodiscard]] const Subject& subject() const { return subject_; }
    [[nodiscard]] const std::shared_ptr<sdk::Policy>& policy(std::size_t config_index) const {
        return instances_.by_config.at(config_index);
    }
    // The source of configuration `index` (0: the subject's, then the declared reconfigurations).
    [[nodiscard]] std::string config_name(std::size_t index) const;
    // Appended to every failure message from here on (the simulation's seed and replay line).
    std::string context_note;

private:
    const Subject& subject_;
    const Instances& instances_;
    Report& report_;
    std::string check_;
    Scope scope_;
    std::set<std::string> reported_;
    bool failed_ = false;
};

// Applies an allowed, judged decision the way the host writes it: moves, state, attributes,
// adjustable terms, outcome, timers (dropped, then added). Returns an "escrow_not_settled"
// message if the order entered a final state with money still in escrow.
std::optional<std::string> apply(ModelOrder& order, Ledger& ledger, const sdk::Decision& decision,
                                 const sdk::ProductInfo& product, const sdk::Event& event, UtcMs now_ms);

// A new order from an allowed quote: the price and the quote's moves, its first timers.
// `escrow_not_settled` is set when the quote opens it in a final state with money in escrow.
ModelOrder open_order(const sdk::PurchaseRequest& request, const sdk::Quote& quote, const sdk::ProductInfo& product,
                      std::string id, UtcMs now_ms, std::size_t config_index, std::size_t customer, Ledger& ledger,
                      std::optional<std::string>* escrow_not_settled);

// Purchases to drive orders with: the declared ones, or ones derived from info() by trying
// plausible values; each with the quote the subject's configuration gave it.
struct Sale {
    sdk::PurchaseRequest request;
    sdk::Quote quote;
};
std::vector<Sale> accepted_sales(Judge& judge, UtcMs now_ms);

// The events the kit tries on an order (timers excluded): cancel, a code that matches the
// order and one that does not, support refunds of several sizes (and of all that is left),
// disputes with and without evidence, an extension, and an event type no policy knows.
std::vector<sdk::Event> customer_events(const ModelOrder& order);
sdk::Event timer_event(const std::string& name);

const sdk::ProductInfo* product_of(const sdk::PolicyInfo& info, const std::string& name);

}  // namespace billing::conformance::detail
