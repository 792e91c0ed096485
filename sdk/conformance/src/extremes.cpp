// The extremes check: the policy configured at the ends of its documented ranges (the
// declaration's [[extreme]]s), its purchases quoted and its orders driven from the host's first
// and latest now, every answer held to the host's bounds on money (amount_minor_max,
// order_charged_minor_max) and time (time_ms_max) by the host's own rules.
#include "billing/conformance/kit.hpp"
#include "driver.hpp"
#include "explore.hpp"

namespace billing::conformance {

using namespace detail;

Report check_extremes(const Subject& subject) {
    Report report;
    if (subject.declaration.extremes.empty()) {
        report.skipped.push_back(
            "extremes: no [[extreme]] configuration declared, so the policy was never configured at the ends of its "
            "ranges; declare one (with the purchases that reach them) to check that no configuration an operator "
            "may write makes a sale the host refuses");
        return report;
    }
    for (const Extreme& extreme : subject.declaration.extremes) {
        Subject at_edge = subject;
        at_edge.config = extreme.config;
        at_edge.declaration.reconfigure.clear();
        if (!extreme.purchases.empty()) at_edge.declaration.purchases = extreme.purchases;
        auto instances = make_instances(at_edge, report, "extremes");
        if (!instances) continue;
        Judge judge(at_edge, *instances, report, "extremes", Scope{});
        std::size_t orders = 0;
        for (const UtcMs start_ms : {epoch_ms, sdk::now_ms_max}) {
            judge.context_note =
                "(extremes: " + extreme.config.source + ", sold at epoch ms " + std::to_string(start_ms) + ")";
            orders += explore(judge, {}, start_ms).nodes;
            if (judge.failed()) break;
        }
        report.notes.push_back(extreme.config.source + ": " + std::to_string(orders) +
                               " orders driven from the first and the latest now, within the host's bounds");
    }
    return report;
}

}  // namespace billing::conformance
