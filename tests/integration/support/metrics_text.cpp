#include "support/metrics_text.hpp"

#include <cstdlib>
#include <sstream>

namespace billing::integration {

std::optional<double> metric_value(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ') {
            return std::strtod(line.c_str() + series.size() + 1, nullptr);
        }
    }
    return std::nullopt;
}

double counter_value(const std::string& text, const std::string& series) {
    return metric_value(text, series).value_or(0.0);
}

}  // namespace billing::integration
