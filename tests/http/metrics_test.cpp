#include "billing/http/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace billing::http {
namespace {

TEST(Metrics, CounterTextWithLabelsSortedByValue) {
    MetricsRegistry registry;
    CounterFamily& requests = registry.counter("http_requests_total", "Requests served.", {"route", "status"});
    requests.inc({"orders.get", "200"});
    requests.inc({"orders.create", "201"}, 2);
    requests.inc({"orders.get", "200"});
    requests.inc({"orders.get", "404"});
    EXPECT_EQ(registry.render(), "# HELP http_requests_total Requests served.\n"
                                 "# TYPE http_requests_total counter\n"
                                 "http_requests_total{route=\"orders.create\",status=\"201\"} 2\n"
                                 "http_requests_total{route=\"orders.get\",status=\"200\"} 2\n"
                                 "http_requests_total{route=\"orders.get\",status=\"404\"} 1\n");
    EXPECT_EQ(requests.value({"orders.get", "200"}), 2U);
    EXPECT_EQ(requests.value({"nothing", "500"}), 0U);
}

TEST(Metrics, UnlabelledFamiliesStartAtZero) {
    MetricsRegistry registry;
    registry.counter("a_total", "A.");
    registry.gauge("b", "B.");
    EXPECT_EQ(registry.render(), "# HELP a_total A.\n# TYPE a_total counter\na_total 0\n"
                                 "# HELP b B.\n# TYPE b gauge\nb 0\n");
}

TEST(Metrics, LabelledFamilyWithNoSeriesHasOnlyItsHeader) {
    MetricsRegistry registry;
    registry.counter("c_total", "C.", {"product"});
    EXPECT_EQ(registry.render(), "# HELP c_total C.\n# TYPE c_total counter\n");
}

TEST(Metrics, FamiliesRenderInRegistrationOrder) {
    MetricsRegistry registry;
    registry.gauge("zeta", "Z.");
    registry.gauge("alpha", "A.");
    const std::string text = registry.render();
    EXPECT_LT(text.find("zeta"), text.find("alpha"));
}

TEST(Metrics, GaugeSetAddRemoveAndNumberForms) {
    MetricsRegistry registry;
    GaugeFamily& lag = registry.gauge("timer_lag_seconds", "Lag.");
    GaugeFamily& plugins = registry.gauge("plugin_info", "Loaded plugins.", {"name", "version"});
    lag.set({}, 0.25);
    lag.add({}, 1);
    plugins.set({"otpdesk", "1.0.0"}, 1);
    plugins.set({"otpdesk", "1.1.0"}, 1);
    plugins.remove({"otpdesk", "1.0.0"});
    EXPECT_EQ(lag.value({}), 1.25);
    EXPECT_EQ(registry.render(),
              "# HELP timer_lag_seconds Lag.\n# TYPE timer_lag_seconds gauge\ntimer_lag_seconds 1.25\n"
              "# HELP plugin_info Loaded plugins.\n# TYPE plugin_info gauge\n"
              "plugin_info{name=\"otpdesk\",version=\"1.1.0\"} 1\n");
}

TEST(Metrics, NumberForms) {
    EXPECT_EQ(metric_number(0), "0");
    EXPECT_EQ(metric_number(3), "3");
    EXPECT_EQ(metric_number(0.005), "0.005");
    EXPECT_EQ(metric_number(-2.5), "-2.5");
    EXPECT_EQ(metric_number(1e21), "1e+21");
    EXPECT_EQ(metric_number(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(metric_number(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(metric_number(std::nan("")), "NaN");
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
    MetricsRegistry registry;
    registry.counter("e_total", "Back\\slash and\nnewline \"quoted\".", {"v"}).inc({"a\"b\\c\nd"});
    EXPECT_EQ(registry.render(), "# HELP e_total Back\\\\slash and\\nnewline \"quoted\".\n"
                                 "# TYPE e_total counter\n"
                                 "e_total{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithUpperBoundsInclusive) {
    MetricsRegistry registry;
    HistogramFamily& latency = registry.histogram("request_duration_seconds", "Latency.", {"route"}, {0.005, 0.1, 1});
    latency.observe({"orders.get"}, 0.005);  // on a bound: in that bucket ("le")
    latency.observe({"orders.get"}, 0.0051);
    latency.observe({"orders.get"}, 0.5);
    latency.observe({"orders.get"}, 2);  // only +Inf
    EXPECT_EQ(registry.render(), "# HELP request_duration_seconds Latency.\n"
                                 "# TYPE request_duration_seconds histogram\n"
                                 "request_duration_seconds_bucket{route=\"orders.get\",le=\"0.005\"} 1\n"
                                 "request_duration_seconds_bucket{route=\"orders.get\",le=\"0.1\"} 2\n"
                                 "request_duration_seconds_bucket{route=\"orders.get\",le=\"1\"} 3\n"
                                 "request_duration_seconds_bucket{route=\"orders.get\",le=\"+Inf\"} 4\n"
                                 "request_duration_seconds_sum{route=\"orders.get\"} 2.5101\n"
                                 "request_duration_seconds_count{route=\"orders.get\"} 4\n");
}

TEST(Metrics, UnlabelledHistogramStartsEmpty) {
    MetricsRegistry registry;
    registry.histogram("h", "H.", {}, {1});
    EXPECT_EQ(registry.render(),
              "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
    MetricsRegistry registry;
    CounterFamily& counter = registry.counter("n_total", "N.", {"k"});
    HistogramFamily& histogram = registry.histogram("d", "D.", {"k"}, {1});
    constexpr int threads = 4;
    constexpr int each = 10000;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < each; ++i) {
                counter.inc({t % 2 == 0 ? "even" : "odd"});
                histogram.observe({"x"}, 0.5);
                if (i % 1000 == 0) {
                    (void)registry.render();
                }
            }
        });
    }
    for (std::thread& worker : workers) {
        worker.join();
    }
    EXPECT_EQ(counter.value({"even"}) + counter.value({"odd"}), std::uint64_t{threads * each});
    EXPECT_NE(registry.render().find("d_count{k=\"x\"} 40000\n"), std::string::npos);
}

}  // namespace
}  // namespace billing::http
