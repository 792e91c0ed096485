// Reading the Prometheus text format that /metrics serves.
#pragma once

#include <optional>
#include <string>

namespace billing::integration {

// The value of the series written exactly as series (name with its labels, e.g.
// `billing_orders_created_total{product="activation"}`), or nullopt when no line has it.
std::optional<double> metric_value(const std::string& text, const std::string& series);

// metric_value, with an absent series counting as 0 (a counter not yet incremented).
double counter_value(const std::string& text, const std::string& series);

}  // namespace billing::integration
