// Disputes and the refunds people granted (schema v3), as rows. The engine writes them inside
// the transaction of the decision they belong to (engine_disputes.cpp, Engine::decide_in), so a
// dispute's state, its order's money and its events never disagree.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "billing/core/clock.hpp"
#include "billing/core/result.hpp"
#include "billing/sdk/types.hpp"

namespace billing {

namespace dispute_state {
inline constexpr const char* open = "open";
inline constexpr const char* refunded = "refunded";  // resolved with a refund
inline constexpr const char* rejected = "rejected";  // resolved without one
}  // namespace dispute_state

struct DisputeRecord {
    std::string id;
    std::string tenant_id;
    std::string order_id;
    std::string account_id;
    std::string state;  // dispute_state::*
    std::string description;
    std::string evidence_url;  // "" when none was given
    UtcMs opened_at_ms = 0;
    std::optional<UtcMs> resolved_at_ms;
    std::string resolution_note;
    sdk::MinorUnits refunded_minor = 0;
};

namespace disputes {

// "" when the order has no open dispute, else the open dispute's id.
std::string open_dispute_of(soci::session& sql, const std::string& order_id);
void insert(soci::session& sql, const DisputeRecord& dispute);
// Closes an open dispute (state refunded or rejected); the order must be locked by the caller.
void resolve(soci::session& sql, const DisputeRecord& dispute);
Result<DisputeRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& dispute_id);
// The tenant's disputes newest first after starting_after (a dispute id), at most limit + 1
// (the caller trims the extra one into has_more); state "" for every state.
Result<std::vector<DisputeRecord>> list(soci::session& sql, const std::string& tenant_id, const std::string& state,
                                        const std::string& starting_after, std::size_t limit_plus_one);

}  // namespace disputes

namespace refund_grants {

inline constexpr const char* support_source = "support";
inline constexpr const char* dispute_source = "dispute";

void insert(soci::session& sql, const std::string& tenant_id, const std::string& order_id,
            const std::string& account_id, const std::string& source, const std::string& reason,
            sdk::MinorUnits amount_minor, UtcMs at_ms);

// Context::account_recent_refunds / _disputes: grants and disputes of the account in
// (since_ms, until_ms].
struct RecentCounts {
    std::int64_t refunds = 0;
    std::int64_t disputes = 0;
};
RecentCounts recent(soci::session& sql, const std::string& tenant_id, const std::string& account_id, UtcMs since_ms,
                    UtcMs until_ms);

}  // namespace refund_grants

}  // namespace billing
