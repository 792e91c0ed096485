// The engine (DESIGN §3-§5): every operation is ONE transaction through Database::write that
// reads what it needs (locked), asks the policy, checks the answer, and writes the order, the
// transfers, the timers, the event record and the idempotency record together.
//
// Each call takes ONE reference to the tenant's policy at its start and uses only it, so a hot
// swap in the middle of a call never mixes two versions; the old library stays mapped until
// the last call holding it returns.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "billing/core/clock.hpp"
#include "billing/core/result.hpp"
#include "billing/engine/records.hpp"
#include "billing/engine/timers.hpp"
#include "billing/plugin/loader.hpp"
#include "billing/storage/database.hpp"

namespace billing {

// The policy serving a tenant now, or nullptr when none is bound.
using PolicyProvider = std::function<std::shared_ptr<const plugin::PolicyInstance>(const std::string& tenant_id)>;

// What became of one leased timer run by the sweeper.
enum class TimerRun {
    applied,  // the policy allowed it and its effect is committed
    denied,   // the policy denied it (e.g. the order is closed): the timer is just deleted
    lost,     // the lease was lost, or the timer was dropped or moved: nothing was done
};

class Engine {
public:
    Engine(storage::Database& db, PolicyProvider policies, const Clock& clock);

    Result<TenantRecord> create_tenant(const NewTenant& tenant);
    Result<TenantRecord> get_tenant(const std::string& tenant_id);

    // A customer account with a tenant-unique external_ref and a zero balance.
    Result<AccountRecord> create_account(const std::string& tenant_id, const std::string& external_ref);
    Result<AccountRecord> get_account(const std::string& tenant_id, const std::string& account_id);

    // funding -> customer. Returns the account with its new balance.
    Result<AccountRecord> deposit(const std::string& tenant_id, const std::string& account_id,
                                  MinorUnits amount_minor, const std::optional<IdempotencyRecord>& idem = {});

    // Quote, charge the price customer -> escrow, apply the quote's moves, insert the order with
    // its pinned terms, its timers and its first event. A refused quote comes back as an Error
    // with the policy's code; nothing is written.
    Result<OrderRecord> purchase(const std::string& tenant_id, const std::string& account_id,
                                 const sdk::PurchaseRequest& request, UtcMs now_ms,
                                 const std::optional<IdempotencyRecord>& idem = {});

    // Decides one event on one order at now_ms. A denial is a value (allowed false, the
    // policy's code, message and available_at) and writes nothing; an allowed decision that
    // fails a host check is Error policy_violation and writes nothing.
    Result<ApplyResult> apply(const std::string& tenant_id, const std::string& order_id, const sdk::Event& event,
                              UtcMs now_ms, const std::optional<IdempotencyRecord>& idem = {});

    Result<OrderRecord> get_order(const std::string& tenant_id, const std::string& order_id);

    // The sweeper's path, in ONE transaction: delete the timer while owner holds its lease,
    // then apply Event{timer} with now = its due time, so a late run decides as an on-time one.
    Result<TimerRun> run_leased_timer(const timers::TimerRow& timer, const std::string& owner);

    [[nodiscard]] storage::Database& database() noexcept { return db_; }
    [[nodiscard]] const Clock& clock() const noexcept { return clock_; }

private:
    Result<std::shared_ptr<const plugin::PolicyInstance>> policy_for(const std::string& tenant_id) const;
    Result<ApplyResult> apply_in(soci::session& sql, const plugin::PolicyInstance& policy,
                                 const std::string& tenant_id, const std::string& order_id, const sdk::Event& event,
                                 UtcMs now_ms);

    storage::Database& db_;
    PolicyProvider policies_;
    const Clock& clock_;
};

}  // namespace billing
