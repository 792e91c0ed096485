// Turns write plans (write_plan.hpp) into rows: the one way every path writes a decision or a
// purchase. The rows go in the same order on every path: the order, its timers (dropped, then
// added), the event, and the money last, so that the tenant's escrow and revenue rows stay
// locked only from there to COMMIT (see engine.hpp, lock order).
//
// One plan (a purchase, a request's decision, one timer's run) is written with the per-row
// statements prepared once per session; many (the sweeper's set-based batch) with multi-row
// statements, which a single row would pay a prepare for on every call. Any error: the caller
// rolls the transaction back.
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <string>
#include <vector>

#include "billing/core/result.hpp"
#include "write_plan.hpp"

namespace billing::plan_writer {

// A new order (expected_version 0) is inserted; an existing one is updated only where its row
// still has expected_version, else storage_error::conflict (Database::write re-runs the whole
// decision on the fresh row).
Result<Unit> write(soci::session& sql, const write_plan::Plan& plan);

// The rows of many decisions on existing orders (one plan per order), gathered plan by plan,
// then written kind by kind: one statement per chunk of each.
class Batch {
public:
    // Room for the rows of that many plans of one transfer each (a refund's), so that adding
    // them does not move the rows already gathered.
    void reserve(std::size_t plans);
    // Moves the plan's rows in.
    void add(write_plan::Plan&& plan);
    [[nodiscard]] bool empty() const noexcept { return orders_.empty(); }
    // lock_suffix: the dialect's row lock, for the accounts ledger::post_all locks.
    Result<Unit> write(soci::session& sql, const std::string& lock_suffix) const;

private:
    std::vector<orders::VersionedUpdate> orders_;
    std::vector<std::pair<std::string, std::string>> dropped_;  // (order_id, name)
    std::vector<timers::TimerRow> added_;
    std::vector<events::EventRow> events_;
    std::vector<ledger::Transfer> transfers_;
};

}  // namespace billing::plan_writer
