#include "billing/http/metrics.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

namespace billing::http {

namespace {

[[maybe_unused]] bool name_char(char c, bool first, bool colon_ok) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
    return letter || (!first && c >= '0' && c <= '9');
}

[[maybe_unused]] bool valid_name(std::string_view name, bool colon_ok) {
    if (name.empty()) {
        return false;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (!name_char(name[i], i == 0, colon_ok)) {
            return false;
        }
    }
    return true;
}

std::string escape_help(std::string_view help) {
    std::string out;
    for (const char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string metric_number(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    char text[64];
    const auto [end, error] = std::to_chars(text, text + sizeof text, value);
    assert(error == std::errc{});
    return std::string(text, end);
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

MetricFamily::MetricFamily(std::string name, std::string help, std::string_view type,
                           std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {
    assert(valid_name(name_, true));
    for (const std::string& label : label_names_) {
        assert(valid_name(label, false) && label.rfind("__", 0) != 0);
        assert(std::count(label_names_.begin(), label_names_.end(), label) == 1);
        (void)label;
    }
}

void MetricFamily::render(std::string& out) const {
    out += "# HELP " + name_ + " " + escape_help(help_) + "\n";
    out += "# TYPE " + name_ + " " + std::string(type_) + "\n";
    const std::lock_guard lock(mutex_);
    render_series(out);
}

void MetricFamily::check(const LabelValues& values) const {
    assert(values.size() == label_names_.size() && "one value per label name");
    (void)values;
}

std::string MetricFamily::label_text(const LabelValues& values, std::string_view extra_name,
                                     std::string_view extra_value) const {
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        out += (out.empty() ? "" : ",") + label_names_[i] + "=\"" + escape_label_value(values[i]) + "\"";
    }
    if (!extra_name.empty()) {
        out += (out.empty() ? "" : ",") + std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
    }
    return out.empty() ? out : "{" + out + "}";
}

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), "counter", std::move(label_names)) {
    if (unlabelled()) {
        series_[{}] = 0;
    }
}

void CounterFamily::inc(const LabelValues& values, std::uint64_t by) {
    check(values);
    const std::lock_guard lock(mutex_);
    series_[values] += by;
}

void CounterFamily::raise_to(const LabelValues& values, std::uint64_t total) {
    check(values);
    const std::lock_guard lock(mutex_);
    std::uint64_t& count = series_[values];
    count = std::max(count, total);
}

std::uint64_t CounterFamily::value(const LabelValues& values) const {
    const std::lock_guard lock(mutex_);
    const auto found = series_.find(values);
    return found == series_.end() ? 0 : found->second;
}

void CounterFamily::render_series(std::string& out) const {
    for (const auto& [values, count] : series_) {
        out += name() + label_text(values) + " " + std::to_string(count) + "\n";
    }
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), "gauge", std::move(label_names)) {
    if (unlabelled()) {
        series_[{}] = 0;
    }
}

void GaugeFamily::set(const LabelValues& values, double value) {
    check(values);
    const std::lock_guard lock(mutex_);
    series_[values] = value;
}

void GaugeFamily::add(const LabelValues& values, double delta) {
    check(values);
    const std::lock_guard lock(mutex_);
    series_[values] += delta;
}

void GaugeFamily::remove(const LabelValues& values) {
    const std::lock_guard lock(mutex_);
    series_.erase(values);
}

double GaugeFamily::value(const LabelValues& values) const {
    const std::lock_guard lock(mutex_);
    const auto found = series_.find(values);
    return found == series_.end() ? 0 : found->second;
}

void GaugeFamily::render_series(std::string& out) const {
    for (const auto& [values, value] : series_) {
        out += name() + label_text(values) + " " + metric_number(value) + "\n";
    }
}

}  // namespace billing::http
