#include "billing/engine/sweeper.hpp"

#include <unistd.h>

#include <array>

#include "billing/storage/engine_errors.hpp"

namespace billing {

namespace {

std::string default_host_id() {
    std::array<char, 256> name{};
    if (gethostname(name.data(), name.size() - 1) != 0) {
        name[0] = '\0';
    }
    return std::string(name.data()) + ":" + std::to_string(getpid());
}

void count(SweepStats& stats, const TimerOutcome& outcome) {
    if (outcome.set_based) ++stats.set_based;
    switch (outcome.run) {
        case TimerRun::applied: ++stats.applied; return;
        case TimerRun::denied: ++stats.denied; return;
        case TimerRun::lost: ++stats.lost; return;
        case TimerRun::failed: ++stats.failed; break;
        case TimerRun::parked: ++stats.parked; break;
    }
    stats.last_error = outcome.error;
}

}  // namespace

SweepStats& SweepStats::operator+=(const SweepStats& other) {
    claimed += other.claimed;
    applied += other.applied;
    denied += other.denied;
    lost += other.lost;
    failed += other.failed;
    parked += other.parked;
    set_based += other.set_based;
    if (other.failed > 0 || other.parked > 0) last_error = other.last_error;
    return *this;
}

Sweeper::Sweeper(Engine& engine, const PolicyDirectory& policies, std::string host_id)
    : engine_(engine), policies_(policies), host_id_(host_id.empty() ? default_host_id() : std::move(host_id)) {}

TimerPolicies Sweeper::policies_of(const std::vector<timers::TimerRow>& batch) const {
    TimerPolicies policies;
    for (const timers::TimerRow& timer : batch) {
        if (policies.count(timer.tenant_id) != 0) continue;
        std::shared_ptr<const plugin::PolicyInstance> policy = policies_.serving(timer.tenant_id);
        if (policy) {
            policies.emplace(timer.tenant_id, std::move(policy));
        } else {
            policies.emplace(timer.tenant_id, Error{engine_error::policy_unavailable, "no policy serves this tenant"});
        }
    }
    return policies;
}

std::string Sweeper::next_owner() {
    // lease_owner is VARCHAR(80): keep room for the counter.
    return host_id_.substr(0, 60) + "#" + std::to_string(counter_.fetch_add(1) + 1);
}

Result<std::vector<timers::TimerRow>> Sweeper::claim_selected(
    UtcMs lease_now_ms, const std::string& owner, std::int64_t lease_s,
    const std::function<std::vector<timers::TimerRow>(soci::session&)>& select) {
    const UtcMs until_ms = lease_now_ms + lease_s * 1000;
    // A transaction of its own (Database::write_alone): a claim of up to batch_max rows is a batch
    // already, and need not hold a group-commit batch of requests behind it.
    return engine_.database().write_alone([&](soci::session& sql) -> Result<std::vector<timers::TimerRow>> {
        std::vector<timers::TimerRow> won;
        // Per-row conditional UPDATEs: on SQLite faster than an IN list (STACK-NOTES), and on
        // every backend the WHERE on the whole row and its lease makes each claim safe against
        // other hosts and against a timer moved since it was selected.
        for (timers::TimerRow& row : select(sql)) {
            if (timers::claim(sql, row, owner, lease_now_ms, until_ms)) {
                won.push_back(std::move(row));
            }
        }
        return won;
    });
}

Result<std::vector<timers::TimerRow>> Sweeper::claim_due(UtcMs now_ms, const std::string& owner, std::int64_t lease_s,
                                                         std::size_t batch_max) {
    const UtcMs until_ms = now_ms + lease_s * 1000;
    // Never in a group-commit batch: lease_due's transaction commits without waiting for the log
    // flush on PostgreSQL, which must not cover anyone else's writes (Database::write_alone).
    return engine_.database().write_alone([&](soci::session& sql) -> Result<std::vector<timers::TimerRow>> {
        return timers::lease_due(sql, now_ms, batch_max, owner, until_ms);
    });
}

SweepStats Sweeper::process(const std::vector<timers::TimerRow>& claimed, const std::string& owner,
                            const TimerObserver& on_timer) {
    SweepStats stats;
    stats.claimed = claimed.size();
    const std::vector<TimerOutcome> outcomes = engine_.run_leased_timers(claimed, owner, policies_of(claimed));
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        count(stats, outcomes[i]);
        if (on_timer) on_timer(claimed.at(i), outcomes[i]);
    }
    return stats;
}

SweepStats Sweeper::sweep_once(UtcMs now_ms, std::int64_t lease_s, std::size_t batch_max) {
    const std::string owner = next_owner();
    // The candidates are read before the batch's transaction, so that their tenants' policies
    // are looked up outside it (see TimerPolicies).
    auto candidates = engine_.database().read([&](soci::session& sql) -> Result<std::vector<timers::TimerRow>> {
        return timers::due_candidates(sql, now_ms, batch_max);
    });
    if (candidates && candidates.value().empty()) return SweepStats{};
    if (candidates) {
        auto swept = engine_.run_due_batch(candidates.value(), owner, now_ms, now_ms + lease_s * 1000,
                                           policies_of(candidates.value()));
        if (swept) {
            SweepStats stats;
            stats.claimed = swept.value().claimed.size();
            for (const TimerOutcome& outcome : swept.value().outcomes) count(stats, outcome);
            return stats;
        }
    }
    // Nothing of the batch was committed (a conflict after Database::write's retries, a lost
    // connection, a set-based write the ledger refused): the due timers are claimed again, with a
    // lease in a transaction of their own, and run as a claimed batch, which ends with one
    // transaction per timer if it must (Engine::run_leased_timers). With an owner of their own:
    // an owner token names exactly one claimed batch, even if the failed transaction did commit.
    const std::string lease_owner = next_owner();
    auto claimed = claim_due(now_ms, lease_owner, lease_s, batch_max);
    if (!claimed) {
        SweepStats stats;
        ++stats.failed;
        stats.last_error = claimed.error();
        return stats;
    }
    return process(claimed.value(), lease_owner);
}

SweepStats Sweeper::run_due_for_tenant(const std::string& tenant_id, UtcMs up_to_ms, const TimerObserver& on_timer,
                                       std::int64_t lease_s, std::size_t timers_max) {
    SweepStats stats;
    for (std::size_t i = 0; i < timers_max; ++i) {
        const std::string owner = next_owner();
        // Leases are real time (the engine's clock), while due times are the tenant's (test) time.
        const UtcMs lease_now_ms = engine_.clock().now_ms();
        auto claimed = claim_selected(lease_now_ms, owner, lease_s, [&](soci::session& sql) {
            std::vector<timers::TimerRow> next;
            if (auto row = timers::next_due_for_tenant(sql, tenant_id, up_to_ms, lease_now_ms)) {
                next.push_back(std::move(*row));
            }
            return next;
        });
        if (!claimed) {
            ++stats.failed;
            stats.last_error = claimed.error();
            return stats;
        }
        if (claimed.value().empty()) {
            return stats;
        }
        stats += process(claimed.value(), owner, on_timer);
    }
    return stats;
}

}  // namespace billing
