// The host's metrics, registered once in one registry: requests by route and status, a
// latency histogram by route, orders created/cancelled/refunded by product, the refunded amount
// by currency, the timer lag, and the loaded plugin versions. Labels are bounded sets (route
// names, statuses, products, currencies, plugin versions), never ids: no tenant, account or
// order id becomes a series.
#pragma once

#include <string_view>
#include <vector>

#include "billing/http/metrics.hpp"

namespace billing::http {

// Request latency buckets, in seconds: 1 ms (an in-memory answer) to 10 s (a stuck commit).
inline const std::vector<double> request_seconds_buckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                         0.25,  0.5,    1,     2.5,  5,     10};

class HostMetrics {
public:
    explicit HostMetrics(MetricsRegistry& registry);

    // route is the route's name ("orders.cancel"), or "unmatched" for a 404/405 of no route.
    void request(std::string_view route, int status, double seconds);

    CounterFamily& orders_created;    // {product}
    CounterFamily& orders_cancelled;  // {product}
    CounterFamily& orders_refunded;   // {product}
    CounterFamily& refunded_minor;    // {currency}: minor units refunded to customers
    GaugeFamily& timer_lag_seconds;   // how late the oldest due timer is
    GaugeFamily& plugin_info;         // {name, version} 1 for the serving version, 0 once replaced
    CounterFamily& plugin_reloads;    // {name, result}: result "swapped" or the refusal's code
    // Group commit (storage::Database::WriteStats), read at scrape time.
    CounterFamily& db_write_batches;         // batches committed
    CounterFamily& db_batched_writes;        // writes answered from a committed batch
    CounterFamily& db_write_batches_failed;  // batches that committed nothing (their writes ran alone)
    CounterFamily& db_writes_alone;          // writes in a transaction of their own

private:
    CounterFamily& requests_;           // {route, status}
    HistogramFamily& request_seconds_;  // {route}
};

}  // namespace billing::http
