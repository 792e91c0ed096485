// Reports: the delivery rate of a tenant's closed orders per country, service or any other
// order attribute (DESIGN §1, §7; billing/server/delivery_report.hpp).
#include <algorithm>

#include "api_call.hpp"
#include "billing/http/json_writer.hpp"
#include "billing/http/rfc3339.hpp"
#include "billing/server/delivery_report.hpp"

namespace billing::server::routes {

namespace {

constexpr std::int64_t day_ms = 24LL * 3600 * 1000;
constexpr std::int64_t default_range_ms = 30 * day_ms;
// A bound on the index range one request reads (STYLE: a bound on everything).
constexpr std::int64_t range_max_ms = 366 * day_ms;
constexpr std::int64_t top_default = 10;
constexpr std::int64_t top_max = 1000;
constexpr std::int64_t min_orders_default = 20;
constexpr std::int64_t min_orders_max = 1'000'000;

Error invalid(const std::string& message) { return Error{std::string(http::problem_code::validation_failed), message}; }

// A decimal integer parameter in [min, max], or its default when absent.
Result<std::int64_t> integer_param(const Call& call, const std::string& name, std::int64_t min, std::int64_t max,
                                   std::int64_t fallback) {
    const auto text = api::query_value(call, name);
    if (!text) return fallback;
    std::int64_t value = 0;
    bool ok = !text->empty() && text->size() <= 7;
    for (char c : *text) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) value = value * 10 + (c - '0');
    }
    if (!ok || value < min || value > max) {
        return invalid(name + ": an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return value;
}

Result<std::optional<UtcMs>> time_param(const Call& call, const std::string& name) {
    const auto text = api::query_value(call, name);
    if (!text) return std::optional<UtcMs>{};
    const auto at = http::parse_rfc3339_utc(*text);
    if (!at) return invalid(name + ": not an RFC 3339 UTC time such as 2026-01-02T03:04:05.000Z");
    return std::optional<UtcMs>{*at};
}

// The products the report covers: the one named, or every product of the tenant's policy that
// declares the outcome "delivered" among its report outcomes.
Result<std::vector<std::string>> report_products(Call& call) {
    if (const auto named = api::query_value(call, "product")) {
        if (named->empty() || named->size() > 64) return invalid("product: a product name of 1 to 64 bytes");
        return std::vector<std::string>{*named};
    }
    auto policy = api::tenant_policy(call);
    if (!policy) return policy.error();
    std::vector<std::string> products;
    for (const sdk::ProductInfo& p : policy.value()->info().products) {
        if (std::find(p.outcomes.begin(), p.outcomes.end(), report::delivered_outcome) != p.outcomes.end()) {
            products.push_back(p.name);
        }
    }
    return products;
}

}  // namespace

ApiResponse delivery_report(Call& call) {
    const auto group_by = api::query_value(call, "group_by");
    if (!group_by || !report::valid_attribute_name(*group_by)) {
        return api::error(call, invalid("group_by: required, an order attribute name of 1 to 64 of a-z, 0-9 and _ "
                                        "(e.g. country or service)"));
    }
    auto products = report_products(call);
    if (!products) return api::error(call, products.error());
    auto top = integer_param(call, "top", 1, top_max, top_default);
    if (!top) return api::error(call, top.error());
    auto min_orders = integer_param(call, "min_orders", 1, min_orders_max, min_orders_default);
    if (!min_orders) return api::error(call, min_orders.error());
    auto from = time_param(call, "from");
    if (!from) return api::error(call, from.error());
    auto to = time_param(call, "to");
    if (!to) return api::error(call, to.error());
    UtcMs to_ms = 0;
    if (to.value()) {
        to_ms = *to.value();
    } else {
        auto now = api::tenant_now(call);
        if (!now) return api::error(call, now.error());
        to_ms = now.value();
    }
    const UtcMs from_ms = from.value().value_or(to_ms - default_range_ms);
    if (from_ms >= to_ms) return api::error(call, invalid("from: must be before to"));
    if (to_ms - from_ms > range_max_ms) return api::error(call, invalid("from: at most 366 days before to"));

    const report::DeliveryQuery query{call.tenant->id, products.value(), *group_by, from_ms, to_ms};
    auto counts = call.s.db.read(
        [&](soci::session& sql) -> Result<report::DeliveryCounts> { return report::count_delivery(sql, query); });
    if (!counts) return api::error(call, counts.error());
    const std::size_t groups = counts.value().groups.size();
    const auto rows =
        report::rank(std::move(counts.value().groups), static_cast<std::size_t>(top.value()), min_orders.value());

    http::JsonWriter w;
    w.begin_object().key("object").string("delivery_report");
    w.key("group_by").string(*group_by);
    w.key("products").begin_array();
    for (const std::string& p : products.value()) w.string(p);
    w.end_array();
    w.key("from").string(http::format_rfc3339_utc(from_ms));
    w.key("to").string(http::format_rfc3339_utc(to_ms));
    w.key("top").integer(top.value());
    w.key("min_orders").integer(min_orders.value());
    w.key("rows_scanned").integer(counts.value().rows_scanned);
    w.key("groups").integer(static_cast<std::int64_t>(groups));
    w.key("data").begin_array();
    for (const report::DeliveryGroup& g : rows) {
        w.begin_object();
        w.key("key");
        if (g.key) {
            w.string(*g.key);
        } else {
            w.null();
        }
        w.key("orders").integer(g.orders);
        w.key("delivered").integer(g.delivered);
        w.key("rate").raw(report::rate_text(g.delivered, g.orders));
        w.end_object();
    }
    w.end_array().end_object();
    return api::json(200, w.take());
}

}  // namespace billing::server::routes
