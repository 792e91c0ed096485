// The reports' reads over closed orders (the delivery report, billing/server/delivery_report.hpp):
// one index range (orders_report: tenant_id, product, closed_at_ms) per product.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "billing/core/clock.hpp"
#include "billing/storage/database.hpp"

namespace billing::reports {

// The tenant's orders of product closed in [from_ms, to_ms).
struct ClosedRange {
    const std::string& tenant_id;
    const std::string& product;
    UtcMs from_ms = 0;
    UtcMs to_ms = 0;
};

struct AttributeCount {
    std::optional<std::string> value;  // nullopt: orders without the attribute
    std::int64_t orders = 0;
    std::int64_t with_outcome = 0;  // of them, those whose outcome is the one asked for
};

// The range's orders grouped by the text of one attribute, by the session's backend's JSON
// extraction (Dialect::json_text); attribute must be a plain name (a-z, 0-9, '_'), since it is
// written into the statement.
std::vector<AttributeCount> count_by_attribute(soci::session& sql, const ClosedRange& range,
                                               const std::string& attribute, const std::string& outcome);

// The range's orders' attributes (JSON text) and outcomes, handed over a batch of up to
// batch_rows at a time (the vectors hold exactly the batch).
inline constexpr std::size_t batch_rows = 1000;
void each_attributes_and_outcome(soci::session& sql, const ClosedRange& range,
                                 const std::function<void(const std::vector<std::string>& attributes,
                                                          const std::vector<std::string>& outcomes)>& batch);

}  // namespace billing::reports
