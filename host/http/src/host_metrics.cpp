#include "billing/http/host_metrics.hpp"

#include <string>

namespace billing::http {

HostMetrics::HostMetrics(MetricsRegistry& registry)
    : orders_created(registry.counter("billing_orders_created_total", "Orders created, by product.", {"product"})),
      orders_cancelled(registry.counter("billing_orders_cancelled_total",
                                        "Orders cancelled by the customer, by product.", {"product"})),
      orders_refunded(registry.counter("billing_orders_refunded_total", "Orders refunded in part or whole, by product.",
                                       {"product"})),
      refunded_minor(registry.counter("billing_refunded_minor_total",
                                      "Amount refunded to customers, in minor units of the currency.", {"currency"})),
      timer_lag_seconds(registry.gauge("billing_timer_lag_seconds", "How late the oldest due timer is, in seconds.")),
      plugin_info(
          registry.gauge("billing_plugin_info", "Policy plugin versions: 1 serving, 0 replaced.", {"name", "version"})),
      plugin_reloads(registry.counter("billing_plugin_reloads_total",
                                      "Policy plugin reloads, by policy and result (swapped, or the refusal's code).",
                                      {"name", "result"})),
      db_write_batches(registry.counter("billing_db_write_batches_total",
                                        "Group-commit batches committed (one transaction and one COMMIT each).")),
      db_batched_writes(
          registry.counter("billing_db_batched_writes_total", "Writes answered from a committed group-commit batch.")),
      db_write_batches_failed(
          registry.counter("billing_db_write_batches_failed_total",
                           "Group-commit batches that committed nothing; each of their writes ran again alone.")),
      db_writes_alone(registry.counter("billing_db_writes_alone_total",
                                       "Writes run in a transaction of their own: group commit off, the sweeper's "
                                       "set-based passes, a conflict, or a write of a failed batch.")),
      requests_(
          registry.counter("billing_http_requests_total", "HTTP requests, by route and status.", {"route", "status"})),
      request_seconds_(registry.histogram("billing_http_request_duration_seconds",
                                          "HTTP request latency in seconds, by route.", {"route"},
                                          request_seconds_buckets)) {}

void HostMetrics::request(std::string_view route, int status, double seconds) {
    requests_.inc({std::string(route), std::to_string(status)});
    request_seconds_.observe({std::string(route)}, seconds);
}

}  // namespace billing::http
