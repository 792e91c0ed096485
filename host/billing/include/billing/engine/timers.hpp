// Timer rows (DESIGN §5): written in the transaction of the order that needs them, claimed by
// sweepers with a lease (a conditional UPDATE that works on every backend) and deleted in the
// transaction that applies them.
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "billing/engine/records.hpp"

namespace billing::timers {

struct TimerRow {
    std::string order_id;
    std::string name;
    std::string tenant_id;
    UtcMs due_at_ms = 0;
};

// Adds the timer or moves an existing one of the same name; either way it is unclaimed, so a
// sweeper holding the old lease finds it changed and leaves it alone.
void upsert(soci::session& sql, const TimerRow& timer);

void drop(soci::session& sql, const std::string& order_id, const std::string& name);

// Deletes the timer while owner still holds its lease. False: the lease was lost (another
// owner took it over), or the timer was dropped or moved meanwhile; the caller must not apply it.
bool remove_leased(soci::session& sql, const std::string& order_id, const std::string& name,
                   const std::string& owner);

// Up to batch_max timers due at now whose lease (if any) has ended, earliest first.
std::vector<TimerRow> due_candidates(soci::session& sql, UtcMs now_ms, std::size_t batch_max);

// The tenant's earliest timer due at up_to_ms whose lease has ended at lease_now_ms.
std::optional<TimerRow> next_due_for_tenant(soci::session& sql, const std::string& tenant_id, UtcMs up_to_ms,
                                            UtcMs lease_now_ms);

// Takes the lease until lease_until_ms if it has ended at now_ms; false if someone else holds it.
bool claim(soci::session& sql, const TimerRow& timer, const std::string& owner, UtcMs now_ms, UtcMs lease_until_ms);

}  // namespace billing::timers
