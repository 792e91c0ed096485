// The one planner: from an order, a checked answer of its policy (a purchase's quote or a
// decision) and the tenant's system accounts, the rows that answer writes, as plain values.
// Purchase, apply, the per-timer run and the sweeper's set-based batch all plan here, and
// plan_writer turns plans into rows. Pure: no database, no clock, no plugin call; whatever
// comes from one of those (the event's id, the times) is passed in.
//
// Every plan passes the ledger invariant check (invariant_breach) before it is handed out, in
// every build: an order whose running amounts or transfers break the ledger's rules fails its
// transaction with ledger_violation (a 500 whose cause the request log writes; on a timer the
// sweeper records it as the timer's failure) instead of being written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/storage/events.hpp"
#include "billing/storage/ledger_rules.hpp"
#include "billing/storage/orders.hpp"
#include "billing/storage/records.hpp"
#include "billing/storage/timers.hpp"

namespace billing::write_plan {

struct Plan {
    // The order as written. expected_version 0: a new order (inserted); else updated where its
    // row still has expected_version. order.order.version is the version after the write.
    orders::VersionedUpdate order;
    std::vector<std::string> drop_timers;  // names of the order's timers to delete
    std::vector<timers::TimerRow> add_timers;
    events::EventRow event;
    // Posted last, in this order: the system accounts are rows every order of a tenant updates,
    // so they stay locked only from there to COMMIT (see engine.hpp, lock order).
    std::vector<ledger::Transfer> transfers;
    MinorUnits refunded_minor = 0;  // what the transfers return to the customer
    bool closed = false;            // the order became final
};

// What every plan is made of.
struct Common {
    const ledger::SystemAccounts& system;
    const std::string& policy;    // "name@version", as orders and events record it
    const std::string& event_id;  // new_id("evt"), made by the caller
    UtcMs now_ms = 0;             // the decision time (a late timer's due time)
    UtcMs written_at_ms = 0;      // the clock's time of the write
};

// A purchase: the new order (its id made by the caller) and the accepted quote.
struct Purchase {
    const std::string& order_id;
    const std::string& tenant_id;
    const std::string& account_id;
    const sdk::Quote& quote;
    const sdk::ProductInfo& product;
};

// A decision on an existing order, allowed and checked.
struct Decision {
    const OrderRecord& before;
    const sdk::Decision& decision;
    const sdk::Event& event;
    const sdk::ProductInfo& product;
};

Result<Plan> plan_purchase(const Purchase& purchase, const Common& common);
Result<Plan> plan_decision(const Decision& decided, const Common& common);

// The invariants every written order and its transfers keep, whatever the policy answered:
//   0 <= each running amount; charged <= order_charged_minor_max;
//   captured + refunded_from_escrow <= charged (the order's escrow never negative);
//   refunded_from_revenue <= captured (its revenue never negative);
//   every transfer of a kind of the vocabulary, 1..amount_minor_max, between the accounts the
//   vocabulary names for its kind (the order's customer, the tenant's system accounts), tagged
//   with the order and the event.
// The cause, or nothing. Always compiled in (no NDEBUG): it guards money.
std::optional<std::string> invariant_breach(const Plan& plan, const ledger::SystemAccounts& system);

}  // namespace billing::write_plan
