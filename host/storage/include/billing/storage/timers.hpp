// Timer rows (DESIGN §5): written in the transaction of the order that needs them, claimed by
// sweepers and deleted in the transaction that applies them. A claim is either a lease (a
// conditional UPDATE that works on every backend, committed before the timer runs) or the row
// lock of the transaction that runs it (lock_claimable: the sweeper's usual batch).
//
// A claim and a removal match the WHOLE row a sweeper selected (order, name, tenant, due time;
// remove_all by order and name, of rows its transaction has locked and checked whole):
// on PostgreSQL and MySQL a request may move the timer between the sweeper's SELECT and its
// claim, and a timer moved to a later time must not fire at its old one.
//
// A timer whose run fails (the policy is unavailable, its decision breaks a host check, ...) is
// never dropped, since money is at stake: each failure is counted on the row with its error and
// pushes the lease out by a backoff; after attempts_max failures the timer is PARKED
// (lease_owner = parked_owner): no sweeper claims it again, and it stays listed by parked()
// until an operator repairs the cause and moves it (upsert), which makes it a fresh timer.
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/storage/records.hpp"

namespace billing::timers {

struct TimerRow {
    std::string order_id;
    std::string name;
    std::string tenant_id;
    UtcMs due_at_ms = 0;
};

// The whole row as one key (order, name, tenant, due time): what a claim and a removal match.
std::string exact_key(const TimerRow& t);

inline constexpr const char* parked_owner = "parked";  // sweeper owners are "host#n": never this
inline constexpr int attempts_max = 5;
// The first retry waits this long after the failed lease ends; each further one twice as long.
inline constexpr std::int64_t retry_backoff_first_ms = 60'000;
inline constexpr std::size_t last_error_chars_max = 200;  // timers.last_error

// Adds the timer or moves an existing one of the same name; either way it is unclaimed and has
// no failed attempts, so a sweeper holding the old lease finds it changed and leaves it alone.
void upsert(soci::session& sql, const TimerRow& timer);

// Adds the timer of an order inserted in this same transaction: it cannot exist yet, so no
// UPDATE is tried first (a duplicate name would be a constraint error, rolling everything back).
void insert(soci::session& sql, const TimerRow& timer);

void drop(soci::session& sql, const std::string& order_id, const std::string& name);

// Deletes the timer while it is still exactly this row and owner still holds its lease. False:
// the lease was lost (another owner took it over), or the timer was dropped or moved meanwhile;
// the caller must not apply it.
bool remove_leased(soci::session& sql, const TimerRow& timer, const std::string& owner);

// Up to batch_max timers due at now whose lease (if any) has ended, earliest first; never a
// test-mode tenant's, whose time is its test clock's (DESIGN §6), moved only by advancing it.
std::vector<TimerRow> due_candidates(soci::session& sql, UtcMs now_ms, std::size_t batch_max);

// The earliest due time of a live tenant's timer that is not parked (what a sweeper still has to
// run; the timer lag is measured from it), or nullopt when there is none.
std::optional<UtcMs> earliest_live_due(soci::session& sql);

// The tenant's earliest timer due at up_to_ms whose lease has ended at lease_now_ms.
std::optional<TimerRow> next_due_for_tenant(soci::session& sql, const std::string& tenant_id, UtcMs up_to_ms,
                                            UtcMs lease_now_ms);

// Takes the lease until lease_until_ms if the timer is still exactly this row and its lease has
// ended at now_ms; false if it moved, went away, is parked or someone else holds it.
bool claim(soci::session& sql, const TimerRow& timer, const std::string& owner, UtcMs now_ms, UtcMs lease_until_ms);

// The set-based forms for a sweeper's batch: a few statements per batch instead of one per
// timer. An owner token is unique to one sweep, so "leased by owner" is exactly that sweep's batch.
//
// claim() for each candidate, set-based; returns the ones owner won, in the order given.
std::vector<TimerRow> claim_all(soci::session& sql, const std::vector<TimerRow>& candidates, const std::string& owner,
                                UtcMs now_ms, UtcMs lease_until_ms);
// due_candidates, then claim_all of them, in the caller's writer transaction, whose COMMIT then
// need not wait for the log flush (Dialect::commit_without_flush): a lease need not survive a
// crash of the database server, since lost it is as if it had ended and the timers are claimed
// again, and the durable commit that applies the batch comes later in the log and flushes it
// anyway. So one flush per batch instead of two. Returns the timers owner won, earliest first.
// For that reason it runs with Database::write_alone, never in a group-commit batch (there it
// throws std::logic_error).
std::vector<TimerRow> lease_due(soci::session& sql, UtcMs now_ms, std::size_t batch_max, const std::string& owner,
                                UtcMs lease_until_ms);
// The timers owner holds, earliest due first. Not locked: a writer that deletes them checks
// each delete's count under the same lease condition (a lease that ended and was taken over
// meanwhile makes it a conflict, and the transaction is run again).
std::vector<TimerRow> leased_by(soci::session& sql, const std::string& owner);
// Deletes every timer of these orders that owner holds; returns how many.
std::size_t remove_leased_of_orders(soci::session& sql, const std::vector<std::string>& order_ids,
                                    const std::string& owner);
// The candidates (due_candidates' rows) this transaction may claim by its own row locks: each
// still exactly that row, due at now_ms, its lease ended and not parked, locked with lock_suffix
// in (order_id, name) order. Returned in the candidates' order. The lock is the claim, and it
// ends with the transaction: before it commits, the caller deletes each row it ran, or leases
// (claim_all) each it leaves for later.
std::vector<TimerRow> lock_claimable(soci::session& sql, const std::vector<TimerRow>& candidates, UtcMs now_ms,
                                     const std::string& lock_suffix);
// Deletes these rows by order and name (rows the caller holds: locked, or leased to it and
// checked); returns how many.
std::size_t remove_all(soci::session& sql, const std::vector<TimerRow>& rows);
// drop() for each (order_id, name).
void drop_all(soci::session& sql, const std::vector<std::pair<std::string, std::string>>& timers);

enum class FailureRecord {
    retry_later,  // attempts counted, the lease pushed out by the backoff
    parked,       // the attempts_max-th failure: parked for an operator
    lost,         // the timer is no longer this owner's (taken over, moved, dropped): not touched
};

// Counts one failed run of the timer owner holds, with a short, printable form of error.
FailureRecord record_failure(soci::session& sql, const TimerRow& timer, const std::string& owner, const Error& error);

struct ParkedTimer {
    TimerRow timer;
    int attempts = 0;
    std::string last_error;
};

// The tenant's parked timers, earliest due first, at most limit: what an operator must look at.
std::vector<ParkedTimer> parked(soci::session& sql, const std::string& tenant_id, std::size_t limit);

}  // namespace billing::timers
