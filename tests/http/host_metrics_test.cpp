#include "billing/http/host_metrics.hpp"

#include <gtest/gtest.h>

namespace billing::http {
namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

TEST(HostMetrics, RegistersTheIssuesMetricSet) {
    MetricsRegistry registry;
    const HostMetrics metrics(registry);
    const std::string text = registry.render();
    for (const char* family :
         {"billing_orders_created_total counter", "billing_orders_cancelled_total counter",
          "billing_orders_refunded_total counter", "billing_refunded_minor_total counter",
          "billing_timer_lag_seconds gauge", "billing_plugin_info gauge", "billing_http_requests_total counter",
          "billing_http_request_duration_seconds histogram"}) {
        EXPECT_EQ(count_of(text, std::string("# TYPE ") + family + "\n"), 1U) << family;
    }
    EXPECT_NE(text.find("billing_timer_lag_seconds 0\n"), std::string::npos);
}

TEST(HostMetrics, ARequestCountsByRouteAndStatusAndTimesByRoute) {
    MetricsRegistry registry;
    HostMetrics metrics(registry);
    metrics.request("orders.cancel", 409, 0.003);
    metrics.request("orders.cancel", 200, 0.02);
    const std::string text = registry.render();
    EXPECT_NE(text.find("billing_http_requests_total{route=\"orders.cancel\",status=\"200\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("billing_http_requests_total{route=\"orders.cancel\",status=\"409\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("billing_http_request_duration_seconds_bucket{route=\"orders.cancel\",le=\"0.005\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("billing_http_request_duration_seconds_bucket{route=\"orders.cancel\",le=\"0.025\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("billing_http_request_duration_seconds_count{route=\"orders.cancel\"} 2\n"), std::string::npos);
    EXPECT_EQ(count_of(text, "billing_http_request_duration_seconds_bucket{route=\"orders.cancel\""),
              request_seconds_buckets.size() + 1);
}

}  // namespace
}  // namespace billing::http
