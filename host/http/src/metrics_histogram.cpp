// The histogram family and the registry (metrics.hpp).
#include <cassert>
#include <cmath>

#include "billing/http/metrics.hpp"

namespace billing::http {

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                                 std::vector<double> bounds)
    : MetricFamily(std::move(name), std::move(help), "histogram", std::move(label_names)), bounds_(std::move(bounds)) {
    assert(!bounds_.empty());
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        assert(std::isfinite(bounds_[i]) && (i == 0 || bounds_[i - 1] < bounds_[i]));
    }
    if (unlabelled()) {
        series({});
    }
}

HistogramFamily::Series& HistogramFamily::series(const LabelValues& values) {
    auto [at, added] = series_.try_emplace(values);
    if (added) {
        at->second.counts.assign(bounds_.size() + 1, 0);
    }
    return at->second;
}

void HistogramFamily::observe(const LabelValues& values, double value) {
    check(values);
    // The first bucket whose upper bound is >= value (buckets are "le"); NaN goes to +Inf.
    std::size_t bucket = 0;
    while (bucket < bounds_.size() && !(value <= bounds_[bucket])) {
        ++bucket;
    }
    const std::lock_guard lock(mutex_);
    Series& s = series(values);
    ++s.counts[bucket];
    s.sum += value;
    ++s.count;
}

void HistogramFamily::render_series(std::string& out) const {
    for (const auto& [values, s] : series_) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i <= bounds_.size(); ++i) {
            cumulative += s.counts[i];
            const std::string le = i < bounds_.size() ? metric_number(bounds_[i]) : "+Inf";
            out += name() + "_bucket" + label_text(values, "le", le) + " " + std::to_string(cumulative) + "\n";
        }
        out += name() + "_sum" + label_text(values) + " " + metric_number(s.sum) + "\n";
        out += name() + "_count" + label_text(values) + " " + std::to_string(s.count) + "\n";
    }
}

template <class Family, class... Args>
Family& MetricsRegistry::add(Args&&... args) {
    auto family = std::make_unique<Family>(std::forward<Args>(args)...);
    Family& ref = *family;
    const std::lock_guard lock(mutex_);
    for (const auto& existing : families_) {
        assert(existing->name() != ref.name() && "each metric name is registered once");
        (void)existing;
    }
    families_.push_back(std::move(family));
    return ref;
}

CounterFamily& MetricsRegistry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
    return add<CounterFamily>(std::move(name), std::move(help), std::move(label_names));
}

GaugeFamily& MetricsRegistry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
    return add<GaugeFamily>(std::move(name), std::move(help), std::move(label_names));
}

HistogramFamily& MetricsRegistry::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                            std::vector<double> bounds) {
    for (const std::string& label : label_names) {
        assert(label != "le" && "le is the histogram's own label");
        (void)label;
    }
    return add<HistogramFamily>(std::move(name), std::move(help), std::move(label_names), std::move(bounds));
}

std::string MetricsRegistry::render() const {
    std::string out;
    const std::lock_guard lock(mutex_);
    for (const auto& family : families_) {
        family->render(out);
    }
    return out;
}

}  // namespace billing::http
