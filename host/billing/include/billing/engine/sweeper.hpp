// The timer sweeper (DESIGN §5). A sweep claims a batch of due timers and applies each together
// with the delete of its timer row, set-based where it can, else in a savepoint of its own. The
// usual batch is claimed and applied in ONE transaction, its claim the row locks of that
// transaction (Engine::run_due_batch): a sweeper that dies mid-batch leaves nothing behind, and
// the timers are due again for every sweeper once the database has ended its session. If that
// transaction fails, the timers are claimed with a lease (a conditional UPDATE committed on its
// own) and run as a claimed batch (Engine::run_leased_timers), and test clocks run theirs that
// way one by one: a dead owner's lease ends and another sweeper takes the timer over. Claiming is at-least-once; the
// effect is exactly-once, because only the transaction that deletes the row while holding it (locked, or leased and
// still exactly that row) applies it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/engine/engine.hpp"
#include "billing/storage/timers.hpp"

namespace billing {

struct SweepStats {
    std::size_t claimed = 0;
    std::size_t applied = 0;
    std::size_t denied = 0;     // stale timers (the policy denied them): deleted
    std::size_t lost = 0;       // leased by someone else meanwhile, or dropped or moved: skipped
    std::size_t failed = 0;     // an error rolled the timer back; retried after its lease and a backoff
    std::size_t parked = 0;     // failed too often: parked for an operator (Engine::parked_timers)
    std::size_t set_based = 0;  // of applied + denied + lost: run by the batch's set-based pass
    Error last_error;           // the most recent failure (or parking), for the log

    SweepStats& operator+=(const SweepStats& other);
};

// Which policy serves a tenant now: the one thing the sweeper needs from the server. A sweep runs
// the timers of many tenants with no request to resolve their policies, so it asks this for
// every tenant of a batch before the batch's transaction opens (see TimerPolicies). A narrow
// interface given to the sweeper at construction, not a function the engine calls: the engine
// then holds no way to find a policy, so every decision it makes takes its policy as a
// parameter (requests' from the API, timers' from here), and the one dependency on the server's
// registry is named, and held by the one caller that needs it. The server implements it over
// its tenant directory and policy registry; tests serve fixed instances.
class PolicyDirectory {
public:
    virtual ~PolicyDirectory() = default;
    // nullptr when no policy serves the tenant (an unknown tenant, a policy no longer loaded).
    [[nodiscard]] virtual std::shared_ptr<const plugin::PolicyInstance> serving(const std::string& tenant_id) const = 0;
};

// Sees each processed timer with what became of it, in due order.
using TimerObserver = std::function<void(const timers::TimerRow&, const TimerOutcome&)>;

class Sweeper {
public:
    // host_id names this process in lease_owner (with a counter per sweep); empty: hostname:pid.
    Sweeper(Engine& engine, const PolicyDirectory& policies, std::string host_id = {});

    // A lease owner token unique to one sweep: host id + counter.
    [[nodiscard]] std::string next_owner();

    // Selects up to batch_max timers due at now_ms whose lease has ended, earliest first, and
    // leases each to owner until now + lease_s if it is still exactly that row (timers::claim_all:
    // one UPDATE per 500); returns only the ones this owner won, earliest first.
    Result<std::vector<timers::TimerRow>> claim_due(UtcMs now_ms, const std::string& owner, std::int64_t lease_s,
                                                    std::size_t batch_max);

    // Applies the claimed timers in one transaction, each in its own savepoint, with now = its
    // due time (Engine::run_leased_timers). A failure is counted and the next timer runs: one
    // poisoned timer never holds up the others.
    SweepStats process(const std::vector<timers::TimerRow>& claimed, const std::string& owner,
                       const TimerObserver& on_timer = {});

    // One batch of up to batch_max timers due at now_ms, with a fresh owner: claimed and applied
    // in one transaction (Engine::run_due_batch); if that fails, claim_due + process. The timers
    // a batch leaves for later (a failure to retry) are leased until now + lease_s.
    SweepStats sweep_once(UtcMs now_ms, std::int64_t lease_s, std::size_t batch_max);

    // Runs the tenant's timers due at up_to_ms one by one in due order, including timers that
    // the applied ones add, until none is due (at most timers_max). For test clocks: these are
    // the only runs a test-mode tenant's timers get (claim_due leaves them alone).
    SweepStats run_due_for_tenant(const std::string& tenant_id, UtcMs up_to_ms, const TimerObserver& on_timer = {},
                                  std::int64_t lease_s = 30, std::size_t timers_max = 100000);

private:
    // In one transaction: select(sql) picks candidates, each is claimed for owner until
    // lease_now_ms + lease_s; returns the ones this owner won.
    Result<std::vector<timers::TimerRow>> claim_selected(
        UtcMs lease_now_ms, const std::string& owner, std::int64_t lease_s,
        const std::function<std::vector<timers::TimerRow>(soci::session&)>& select);

    // The policy of each tenant with a timer in batch, looked up before its transaction.
    [[nodiscard]] TimerPolicies policies_of(const std::vector<timers::TimerRow>& batch) const;

    Engine& engine_;
    const PolicyDirectory& policies_;
    std::string host_id_;
    std::atomic<std::uint64_t> counter_{0};
};

}  // namespace billing
