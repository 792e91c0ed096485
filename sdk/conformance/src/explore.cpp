// Every event type in every reachable state: a breadth-first walk over the orders the policy's
// own decisions lead to, trying each event at the times where rules change (each pinned window
// and pending timer, one millisecond either side). The determinism and terms_pinned checks walk
// the same graph with their comparisons switched on.
#include <deque>
#include <map>
#include <set>

#include "explore.hpp"

namespace billing::conformance::detail {

namespace {

// Orders kept per shape (see shape()) and in all: enough to reach every state by several
// paths, few enough that the walk takes well under a second.
constexpr std::size_t nodes_per_shape = 2;
constexpr std::size_t nodes_max = 400;

// What makes two orders worth exploring separately: product, state, the timers still pending
// and the last thing allowed on it. (By state alone, a policy that allows many harmless events,
// such as codes on a rental, would use up the budget before its timers ever ran.)
std::string shape(const ModelOrder& order) {
    std::string key = order.view.product + "/" + order.view.state + "/";
    for (const auto& [name, due] : order.timers) key += name + ",";
    return key + "/" + order.allowed_history.back();
}

// The times an event is tried at, from the order's last decision on: then, 1 ms later, and
// around every pinned window and pending timer.
std::vector<UtcMs> interesting_times(const ModelOrder& order) {
    const sdk::OrderView& v = order.view;
    std::set<UtcMs> times;
    // Saturating: a policy may legally ask for a timer at the very end of time.
    auto around = [&](UtcMs at) {
        for (UtcMs step : {-1, 0, 1}) {
            UtcMs t = 0;
            if (!__builtin_add_overflow(at, step, &t) && t >= v.updated_at_ms && t <= sdk::now_ms_max) {
                times.insert(t);
            }
        }
    };
    around(v.updated_at_ms);
    for (const auto& [name, value] : v.terms) {
        const bool is_duration = name.size() > 3 && name.compare(name.size() - 3, 3, "_ms") == 0;
        if (is_duration && value >= 0 && value < sdk::ms_per_day * 3650) around(v.created_at_ms + value);
    }
    for (const auto& [name, due] : order.timers) around(due);
    return {times.begin(), times.end()};
}

}  // namespace

Explored explore(Judge& judge, const std::function<void(const ModelOrder&)>& visit, UtcMs start_ms) {
    Explored explored;
    Ledger ledger;
    ledger.customers = {customer_start_minor};
    const std::vector<Sale> sales = accepted_sales(judge, start_ms);
    if (sales.empty()) {
        judge.fail("no_purchase_accepted",
                   "no purchase was accepted, so no order could be driven: declare a [[purchase]] the policy "
                   "accepts in the declaration file");
        return explored;
    }
    std::deque<ModelOrder> queue;
    std::map<std::string, std::size_t> kept;  // shape -> nodes expanded
    std::size_t next_id = 0;
    auto keep = [&](ModelOrder order) {
        const std::string key = shape(order);
        explored.reached[order.view.product].insert(order.view.state);
        if (kept[key] >= nodes_per_shape || explored.nodes >= nodes_max) return;
        ++kept[key];
        ++explored.nodes;
        queue.push_back(std::move(order));
    };
    for (const Sale& sale : sales) {
        const sdk::ProductInfo* product = product_of(judge.info(), sale.request.product);
        std::optional<std::string> unsettled;
        keep(open_order(sale.request, sale.quote, *product, "ord_" + std::to_string(next_id++), start_ms, 0, 0, ledger,
                        &unsettled));
        if (unsettled) judge.fail("escrow_not_settled", *unsettled);
    }
    while (!queue.empty() && !judge.failed()) {
        const ModelOrder order = std::move(queue.front());
        queue.pop_front();
        if (visit) visit(order);
        const sdk::ProductInfo* product = product_of(judge.info(), order.view.product);
        auto branch = [&](const sdk::Event& event, UtcMs now_ms, ModelOrder next, History history = {}) {
            auto decision = judge.decide(next, event, now_ms, 0, customer_start_minor, history);
            if (!decision || !decision->allowed) return;
            Ledger scratch{{customer_start_minor}, customer_start_minor, customer_start_minor};
            if (auto unsettled = apply(next, scratch, *decision, *product, event, now_ms)) {
                judge.fail("escrow_not_settled", *unsettled);
                return;
            }
            keep(std::move(next));
        };
        for (UtcMs now_ms : interesting_times(order)) {
            for (const sdk::Event& event : customer_events(order)) {
                for (const History& history : histories(judge.info())) branch(event, now_ms, order, history);
            }
        }
        // Each pending timer, decided at its due time. Not only the earliest: sweepers on
        // several hosts, or a retry after a failure, can run an order's timers out of due order.
        // A timer the policy never asked for is tried too.
        for (const auto& [name, due] : order.timers) {
            if (due > sdk::now_ms_max) continue;  // no host's clock gets there
            ModelOrder next = order;
            next.timers.erase(name);  // the host removes a timer before it decides it
            branch(timer_event(name), due, std::move(next));
        }
        branch(timer_event("conformance_unknown_timer"), order.view.updated_at_ms, order);
    }
    return explored;
}

std::string reached_note(const Explored& explored, const sdk::PolicyInfo& info) {
    std::string note = "reached " + std::to_string(explored.nodes) + " orders:";
    for (const sdk::ProductInfo& product : info.products) {
        note += " " + product.name + " {";
        std::string missing;
        const auto found = explored.reached.find(product.name);
        bool first = true;
        for (const std::string& state : product.states) {
            if (found != explored.reached.end() && found->second.count(state) != 0) {
                note += (first ? "" : ", ") + state;
                first = false;
            } else {
                missing += (missing.empty() ? "" : ", ") + state;
            }
        }
        note += "}";
        if (!missing.empty()) note += " (declared, never reached: " + missing + ")";
    }
    return note;
}

}  // namespace billing::conformance::detail
