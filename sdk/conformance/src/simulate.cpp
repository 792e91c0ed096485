// The seeded simulation (in the spirit of TigerBeetle's VOPR): many order lives on one manual
// clock, with purchases, cancels, codes, support and dispute events, extensions, reconfiguration
// and a sweeper that runs late, interleaved at random. Everything random comes from one
// splitmix64 stream seeded by Options::seed, and nothing else varies between runs, so a seed
// replays a failure exactly.
#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

#include "billing/conformance/kit.hpp"
#include "driver.hpp"

namespace billing::conformance {

using namespace detail;

namespace {

// splitmix64: tiny, fast, and the same numbers on every platform and standard library (the
// std distributions are not), which is what a replayable seed needs.
class Random {
public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n), n > 0.
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class T>
    const T& pick(const std::vector<T>& items) {
        return items[below(items.size())];
    }

private:
    std::uint64_t state_;
};

// How far the clock jumps: a millisecond to days, weighted to land near the windows of real
// policies (minutes) as often as far beyond them.
std::int64_t clock_step(Random& random) {
    switch (random.below(8)) {
        case 0: return 1;
        case 1: return static_cast<std::int64_t>(random.below(1000)) + 1;
        case 2: return sdk::ms_per_second * static_cast<std::int64_t>(random.below(60) + 1);
        case 3:
        case 4: return sdk::ms_per_minute * static_cast<std::int64_t>(random.below(25) + 1);
        case 5: return sdk::ms_per_minute * 20 - 1 + static_cast<std::int64_t>(random.below(3));
        case 6: return sdk::ms_per_hour * static_cast<std::int64_t>(random.below(48) + 1);
        default: return sdk::ms_per_day * static_cast<std::int64_t>(random.below(14) + 1);
    }
}

constexpr std::size_t customers = 8;

class Simulation {
public:
    Simulation(const Subject& subject, const Options& options, Judge& judge, Report& report)
        : subject_(subject), options_(options), judge_(judge), report_(report), random_(options.seed) {
        ledger_.customers.assign(customers, customer_start_minor);
        total_ = ledger_.total();
    }

    void run() {
        sales_ = accepted_sales(judge_, now_);
        if (sales_.empty()) {
            judge_.fail("no_purchase_accepted", "no purchase was accepted: declare a [[purchase]] the policy accepts");
            return;
        }
        // Bounded: a policy that stops accepting purchases (or customers that run dry) must
        // not keep the run going for ever.
        const std::int64_t steps_max = options_.orders * 50;
        while (purchased_ < options_.orders && !judge_.failed()) {
            if (++step_ > steps_max) {
                report_.notes.push_back("simulation stopped after " + std::to_string(steps_max) + " steps with only " +
                                        std::to_string(purchased_) + " of " + std::to_string(options_.orders) +
                                        " purchases accepted");
                break;
            }
            const std::size_t roll = random_.below(100);
            if (roll < 22) {
                purchase();
            } else if (roll < 62) {
                customer_event();
            } else if (roll < 80) {
                now_ += clock_step(random_);
                if (random_.chance(70)) sweep();  // else the sweeper lags behind the requests
            } else if (roll < 97) {
                sweep();
            } else {
                reconfigure();
            }
            conserved();
        }
        // The end: the clock runs on until every timer has fallen due.
        for (int rounds = 0; rounds < 1000 && !judge_.failed(); ++rounds) {
            const UtcMs due = earliest_due();
            if (due == no_timer) break;
            now_ = std::max(now_, due);
            sweep();
            conserved();
        }
        summarise();
    }

private:
    static constexpr UtcMs no_timer = std::numeric_limits<UtcMs>::max();

    void purchase() {
        sdk::PurchaseRequest request = random_.pick(sales_).request;
        // Now and then a purchase the policy should refuse: a field emptied or unknown.
        if (random_.chance(8) && !request.attributes.empty()) {
            auto it = request.attributes.begin();
            std::advance(it, static_cast<std::ptrdiff_t>(random_.below(request.attributes.size())));
            it->second = random_.chance(50) ? std::string() : "conformance-unknown";
        }
        const std::size_t customer = random_.below(customers);
        auto quote = judge_.quote(request, now_, config_, false, ledger_.customers[customer]);
        if (!quote) return;
        if (quote->price_minor > ledger_.customers[customer]) return;  // the host: insufficient_funds
        const sdk::ProductInfo* product = product_of(judge_.info(), request.product);
        std::optional<std::string> unsettled;
        orders_.push_back(open_order(request, *quote, *product, "ord_" + std::to_string(orders_.size()), now_, config_,
                                     customer, ledger_, &unsettled));
        if (unsettled) judge_.fail("escrow_not_settled", *unsettled);
        if (!orders_.back().is_final) live_.push_back(orders_.size() - 1);
        ++purchased_;
    }

    void customer_event() {
        if (orders_.empty()) return;
        // Mostly live orders; now and then one that is over (late clicks happen).
        const std::size_t index =
            !live_.empty() && random_.chance(90) ? random_.pick(live_) : random_.below(orders_.size());
        ModelOrder& order = orders_[index];
        const std::vector<sdk::Event> events = customer_events(order);
        const sdk::Event& event = random_.pick(events);
        decide(order, event, now_, account_history());
    }

    // What the host would count for the account: mostly a quiet one, now and then one with a
    // few refunds and disputes, or many. Always none for a policy that does not weigh history.
    History account_history() {
        if (judge_.info().history_window_ms <= 0 || random_.chance(50)) return {};
        if (random_.chance(20)) return {1000, 1000};
        return {static_cast<std::int64_t>(random_.below(4)), static_cast<std::int64_t>(random_.below(4))};
    }

    // Every timer due by now, across all orders, in due order, each decided at its due time
    // (like the host's sweeper after a lag: late, but at the time it fell due). A decision may
    // add a timer that is due by now as well: the rounds go on until none is left.
    void sweep() {
        while (!judge_.failed()) {
            std::vector<std::tuple<UtcMs, std::size_t, std::string>> due;
            for (std::size_t i = 0; i < orders_.size(); ++i) {
                for (const auto& [timer, at] : orders_[i].timers) {
                    if (at <= now_) due.emplace_back(at, i, timer);
                }
            }
            if (due.empty()) return;
            std::sort(due.begin(), due.end());
            // Now and then two of them out of due order, as sweepers on two hosts may run them.
            if (due.size() > 1 && random_.chance(10)) {
                std::swap(due[random_.below(due.size())], due[random_.below(due.size())]);
            }
            for (const auto& [at, index, name] : due) {
                ModelOrder& order = orders_[index];
                // An earlier timer's decision on this order may have dropped or moved this one.
                const auto still = order.timers.find(name);
                if (still == order.timers.end() || still->second != at) continue;
                order.timers.erase(still);  // the host removes a timer before it decides it
                decide(order, timer_event(name), at);
                if (judge_.failed()) return;
                if (++timer_decisions_ > timer_decisions_max) {
                    judge_.fail("timers_never_settle",
                                "more than " + std::to_string(timer_decisions_max) +
                                    " timer decisions in one run: a timer that re-arms itself for ever, or nearly");
                    return;
                }
            }
        }
    }

    void reconfigure() {
        if (subject_.declaration.reconfigure.empty()) return;
        config_ = random_.below(subject_.declaration.reconfigure.size() + 1);
        ++reconfigurations_;
    }

    void decide(ModelOrder& order, const sdk::Event& event, UtcMs now_ms, History history = {}) {
        ++decisions_;
        judge_.context_note = "simulation seed " + std::to_string(options_.seed) + ", step " + std::to_string(step_) +
                              "; replay: --seed " + std::to_string(options_.seed) + " --orders " +
                              std::to_string(options_.orders);
        // Decided by the configuration in force now; the Judge compares it with the one the
        // order was sold under (terms_pinned).
        auto decision = judge_.decide(order, event, now_ms, config_, ledger_.customers[order.customer], history);
        if (!decision || !decision->allowed) return;
        const sdk::ProductInfo* product = product_of(judge_.info(), order.view.product);
        if (auto unsettled = apply(order, ledger_, *decision, *product, event, now_ms)) {
            judge_.fail("escrow_not_settled", *unsettled);
            return;
        }
        for (const sdk::MoneyMove& move : decision->moves) {
            MinorUnits& sum = moved_[move.kind];
            if (__builtin_add_overflow(sum, move.amount_minor, &sum)) sum = std::numeric_limits<MinorUnits>::max();
        }
        if (order.is_final) {
            live_.erase(std::remove(live_.begin(), live_.end(), static_cast<std::size_t>(&order - orders_.data())),
                        live_.end());
        }
    }

    void conserved() {
        if (ledger_.total() != total_) {
            judge_.fail("money_not_conserved", "customers + escrow + revenue went from " + std::to_string(total_) +
                                                   " to " + std::to_string(ledger_.total()));
        }
    }

    UtcMs earliest_due() const {
        UtcMs due = no_timer;
        for (const ModelOrder& order : orders_) {
            for (const auto& [name, at] : order.timers) due = std::min(due, at);
        }
        return due;
    }

    void summarise() {
        std::map<std::string, std::size_t> states;
        std::size_t open = 0;
        for (const ModelOrder& order : orders_) {
            ++states[order.view.product + "/" + order.view.state];
            if (!order.is_final) ++open;
        }
        std::string by_state;
        for (const auto& [state, count] : states) by_state += " " + state + "=" + std::to_string(count);
        report_.notes.push_back(
            "simulation seed " + std::to_string(options_.seed) + ": " + std::to_string(orders_.size()) + " orders, " +
            std::to_string(decisions_) + " decisions over " + relative_time(now_, epoch_ms) + " of clock, " +
            std::to_string(reconfigurations_) + " reconfigurations; charged " +
            std::to_string(moved_[sdk::MoveKind::charge]) + " more, captured " +
            std::to_string(moved_[sdk::MoveKind::capture]) + ", refunded " +
            std::to_string(moved_[sdk::MoveKind::refund]) + " + " +
            std::to_string(moved_[sdk::MoveKind::refund_captured]) + " after capture; end states:" + by_state +
            (open > 0 ? "; " + std::to_string(open) + " orders still open with no timer pending" : ""));
    }

    const Subject& subject_;
    const Options& options_;
    Judge& judge_;
    Report& report_;
    Random random_;
    Ledger ledger_;
    MinorUnits total_ = 0;
    UtcMs now_ = epoch_ms;
    std::size_t config_ = 0;
    std::vector<Sale> sales_;
    std::vector<ModelOrder> orders_;
    std::vector<std::size_t> live_;
    std::int64_t purchased_ = 0;
    std::int64_t step_ = 0;
    std::int64_t decisions_ = 0;
    std::int64_t reconfigurations_ = 0;
    std::int64_t timer_decisions_ = 0;
    // Per order, a policy needs a handful of timers; this is far above any honest use.
    const std::int64_t timer_decisions_max = options_.orders * 100 + 10000;
    std::map<sdk::MoveKind, MinorUnits> moved_;
};

}  // namespace

Report simulate(const Subject& subject, const Options& options) {
    Report report;
    auto instances = make_instances(subject, report, "simulation");
    if (!instances) return report;
    Judge judge(subject, *instances, report, "simulation", Scope{true, !subject.declaration.reconfigure.empty()});
    Simulation(subject, options, judge, report).run();
    return report;
}

}  // namespace billing::conformance
