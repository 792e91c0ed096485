// The delivery-rate report (GET /v1/reports/delivery): a tenant's closed orders of one or more
// products in [from, to), grouped by one order attribute, with how many of them the policy
// recorded as "delivered". The host knows no attribute or product by name: the caller names
// both, and the outcome label is the one every policy's report outcomes share ("delivered").
//
// It reads the index range orders_report (tenant_id, product, closed_at_ms) once per product and
// groups in C++: one linear scan of each attributes text the host wrote (Poco's parser for any
// text the scan does not expect). tests/bench/report_bench_main.cpp measured it against grouping
// in SQL (json_extract on SQLite): 1.5 to 3 times faster over the same rows, so the route uses it;
// the SQL grouping stays for that benchmark (and PostgreSQL/MariaDB, where it was not measured).
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/core/clock.hpp"
#include "billing/core/result.hpp"
#include "billing/storage/database.hpp"

namespace billing::server::report {

inline constexpr const char* delivered_outcome = "delivered";

// 1 to 64 of a-z, 0-9 and '_': an attribute name the report may group by.
[[nodiscard]] bool valid_attribute_name(std::string_view name);

struct DeliveryQuery {
    std::string tenant_id;
    std::vector<std::string> products;  // each read through the index; their groups merged
    std::string group_by;               // valid_attribute_name
    UtcMs from_ms = 0;                  // closed_at_ms >= from_ms
    UtcMs to_ms = 0;                    // closed_at_ms < to_ms
};

struct DeliveryGroup {
    std::optional<std::string> key;  // nullopt: orders without the attribute
    std::int64_t orders = 0;
    std::int64_t delivered = 0;
};

struct DeliveryCounts {
    std::vector<DeliveryGroup> groups;  // every group, in no particular order
    std::int64_t rows_scanned = 0;      // the orders of the index range(s) read
};

enum class Grouping {
    cpp,  // read attributes and outcome of every row, scan and count here (what the route uses)
    sql,  // GROUP BY the backend's JSON extraction of the attribute
};

// Counts the tenant's closed orders per key. Storage failures throw (Database::read maps them).
DeliveryCounts count_delivery(soci::session& sql, const DeliveryQuery& query, Grouping grouping = Grouping::cpp);

// The groups with at least min_orders orders, best first: rate descending (compared exactly, as
// fractions), then orders descending, then key ascending (null last); at most top of them.
std::vector<DeliveryGroup> rank(std::vector<DeliveryGroup> groups, std::size_t top, std::int64_t min_orders);

// delivered / orders rounded half up to 4 decimals, as JSON number text: "0.6667", "1.0000".
// orders > 0 and 0 <= delivered <= orders.
std::string rate_text(std::int64_t delivered, std::int64_t orders);

}  // namespace billing::server::report
