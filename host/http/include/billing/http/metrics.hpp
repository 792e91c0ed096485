// A small Prometheus registry, written by hand because Poco 1.11 has none: counters, gauges and
// histograms, each a family with fixed label names and one series per set of label values,
// rendered in the text exposition format 0.0.4.
//
// Thread-safe: each family has its own mutex, so requests on different families never wait on
// each other. Output is deterministic: families in registration order, series sorted by their
// label values, numbers in the shortest form that reads back exactly.
//
// Names and label names are checked when registered (asserts: they are written in code); a
// family without labels has its one series from the start, at 0.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace billing::http {

inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

using LabelValues = std::vector<std::string>;

class MetricFamily {
public:
    MetricFamily(std::string name, std::string help, std::string_view type, std::vector<std::string> label_names);
    virtual ~MetricFamily() = default;
    MetricFamily(const MetricFamily&) = delete;
    MetricFamily& operator=(const MetricFamily&) = delete;

    void render(std::string& out) const;  // # HELP, # TYPE, then every series
    [[nodiscard]] const std::string& name() const { return name_; }

protected:
    virtual void render_series(std::string& out) const = 0;  // called with mutex_ held
    void check(const LabelValues& values) const;             // asserts one value per label name
    [[nodiscard]] bool unlabelled() const { return label_names_.empty(); }
    // `{a="x",b="y"}` for values, with extra ("le", "0.5") appended when given.
    [[nodiscard]] std::string label_text(const LabelValues& values, std::string_view extra_name = {},
                                         std::string_view extra_value = {}) const;

    mutable std::mutex mutex_;

private:
    std::string name_;
    std::string help_;
    std::string_view type_;
    std::vector<std::string> label_names_;
};

class CounterFamily final : public MetricFamily {
public:
    CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
    void inc(const LabelValues& values, std::uint64_t by = 1);
    // For a count kept elsewhere and read at scrape time: the series becomes total, unless it is
    // already higher (a counter never goes down, even when two scrapes race).
    void raise_to(const LabelValues& values, std::uint64_t total);
    [[nodiscard]] std::uint64_t value(const LabelValues& values) const;

private:
    void render_series(std::string& out) const override;
    std::map<LabelValues, std::uint64_t> series_;
};

class GaugeFamily final : public MetricFamily {
public:
    GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
    void set(const LabelValues& values, double value);
    void add(const LabelValues& values, double delta);
    void remove(const LabelValues& values);  // e.g. a plugin version that was unloaded
    [[nodiscard]] double value(const LabelValues& values) const;

private:
    void render_series(std::string& out) const override;
    std::map<LabelValues, double> series_;
};

class HistogramFamily final : public MetricFamily {
public:
    // bounds: the buckets' upper bounds, finite and strictly increasing; +Inf is added.
    HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                    std::vector<double> bounds);
    void observe(const LabelValues& values, double value);

private:
    struct Series {
        std::vector<std::uint64_t> counts;  // per bucket, not cumulative; the last is +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    void render_series(std::string& out) const override;
    Series& series(const LabelValues& values);
    std::vector<double> bounds_;
    std::map<LabelValues, Series> series_;
};

class MetricsRegistry {
public:
    // Each name once (asserted). The references stay valid as long as the registry.
    CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names = {});
    GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
    HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                               std::vector<double> bounds);

    [[nodiscard]] std::string render() const;

private:
    template <class Family, class... Args>
    Family& add(Args&&... args);

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<MetricFamily>> families_;
};

// Prometheus number text: "NaN", "+Inf", "-Inf", or the shortest exact decimal ("0.005", "3").
std::string metric_number(double value);

// Label value escaping of the exposition format: backslash, double quote, newline.
std::string escape_label_value(std::string_view value);

}  // namespace billing::http
