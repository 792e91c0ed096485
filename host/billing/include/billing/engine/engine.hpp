// The engine (DESIGN §3-§5): every operation is ONE transaction through Database::write that
// reads what it needs (locked), asks the policy, checks the answer, and writes the order, the
// transfers, the timers, the event record and the idempotency record together.
//
// Every call that decides takes the tenant's policy as a parameter, resolved by its caller
// before the transaction opens (a lookup may read the tenant on a second pooled session, which a
// transaction holding row locks must never wait for), and uses only that instance: a hot swap in
// the middle of a call never mixes two versions, and the old library stays mapped until the
// last call holding it returns. The engine itself holds no way to find a policy.
//
// The operation runs as one write of a group-commit batch (Database::write): its own SAVEPOINT in
// a transaction shared with the writes that arrived with it, answered once that transaction
// committed. The sweeper's claims and set-based passes and tenant creation run in transactions
// of their own (Database::write_alone).
//
// Lock order, the same in every write that touches an order (so that two of them never wait on
// each other in a cycle on PostgreSQL or MySQL): the order row first (FOR UPDATE), then its
// timers, then accounts. In a transaction of its own, each pair of accounts lower id first
// (ledger::post). In a batch, a posting updates its customer account at once, and the tenants'
// system accounts are updated once each at the end of the batch, in id order, just before COMMIT
// (storage's HeldBalances): a batch holds what its writes locked until then, so two hosts'
// batches that lock rows in opposite orders can deadlock; the server then aborts one, and its
// writes run again, each alone.
//
// Idempotency: deposit, purchase and apply each come in two forms. Without a key they just run.
// With an IdempotencyKey<T> they run inside the same transaction as the storing of the answer
// that key.respond builds from their result (a pure rendering of it: everything an answer shows,
// the cancel preview included, is in the result, so respond calls neither the engine nor the
// policy while the transaction holds its locks), or, when the key was already used by the same
// request (same request_hash), return that stored answer without running anything; the same
// key with another request_hash is Error idempotency_key_reused. An Error from the operation
// itself stores nothing (the request did not take effect; a retry may run it).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "billing/core/clock.hpp"
#include "billing/core/lru_cache.hpp"
#include "billing/core/result.hpp"
#include "billing/engine/records.hpp"
#include "billing/plugin/loader.hpp"
#include "billing/storage/database.hpp"
#include "billing/storage/disputes.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/timers.hpp"

namespace billing {

// A dispute (DESIGN: disputes) and the decision on its order that opened or resolved it. A
// denied decision leaves the dispute as it was (absent, when opening was denied).
struct DisputeResult {
    ApplyResult applied;
    std::optional<DisputeRecord> dispute;
};

struct NewDispute {
    std::string description;
    std::string evidence_url;  // "" for none
};

struct DisputeResolution {
    std::string resolution;                  // sdk::dispute_resolution::refund or reject
    std::optional<MinorUnits> amount_minor;  // for a refund
    std::string note;                        // "" for none
};

// What a customer may do with an order now, as every answer about an order shows it (the
// storefront draws its cancel button from it): the policy's decision on a customer's cancel
// (Engine::preview with customer_cancel()). A preview that failed (a policy_violation, or no
// policy serving the tenant) is {allowed: false, code: the error's code}.
struct ActionPreview {
    bool allowed = false;
    std::string code;
    std::string message;
    std::optional<UtcMs> available_at_ms;
};

// The event an order's cancel preview asks about: a cancel by the customer.
sdk::Event customer_cancel();

// Whether a call without a key decides the cancel preview its answer shows (PurchaseResult,
// EventResult): the API's answers do; a caller that renders no answer (a benchmark, a tool)
// may skip that call into the policy. A call with a key always decides it: its answer is stored.
enum class Preview { cancel, none };

// A purchase and everything its answer shows: the order as written, and its cancel preview,
// decided with the purchase's own policy instance from the order as written.
struct PurchaseResult {
    OrderRecord order;
    ActionPreview cancel;
};

// A request's decision on an order and everything its answer shows: for an allowed decision
// the order's cancel preview as it is afterwards (decided with the same policy instance);
// nothing for a denial (its answer is the denial).
struct EventResult {
    ApplyResult applied;
    ActionPreview cancel;
};

// The policy of each tenant with a timer in a batch, or why none serves it: looked up BEFORE the
// batch's transaction opens. The lookup may read the tenant on a second pooled session, and a
// transaction that waits for a session while it holds row locks can wait for requests that
// hold the other sessions and wait for those locks, a deadlock no database sees (it ended only
// at the lock timeout, as 503s; found by two hosts' traffic on PostgreSQL). Requests look theirs
// up before their transaction too (the API, at the start of each request).
using TimerPolicies = std::map<std::string, Result<std::shared_ptr<const plugin::PolicyInstance>>>;

// What became of one leased timer run by the sweeper.
enum class TimerRun {
    applied,  // the policy allowed it and its effect is committed
    denied,   // the policy denied it (e.g. the order is closed), or its order is gone: just deleted
    lost,     // the lease was lost, or the timer was dropped or moved: nothing was done
    failed,   // an error rolled the run back; counted on the timer, retried after a backoff
    parked,   // the timers::attempts_max-th failure: parked for an operator, never claimed again
};

// Every member has a default ({} where none other fits), so an outcome is built naming only what
// it sets: TimerOutcome{.run = TimerRun::lost}.
struct TimerOutcome {
    TimerRun run = TimerRun::lost;
    Error error{};                         // why, when failed or parked
    std::optional<ApplyResult> applied{};  // the decision, when applied (or denied by the policy)
    bool set_based = false;                // decided by a batch's set-based pass (Engine::run_set_based_in)
};

// A batch the sweeper claimed and ran in one transaction (Engine::run_due_batch): the timers it
// claimed, in due order, and one outcome for each.
struct SweptBatch {
    std::vector<timers::TimerRow> claimed;
    std::vector<TimerOutcome> outcomes;
};

class Engine {
public:
    Engine(storage::Database& db, const Clock& clock);

    Result<TenantRecord> create_tenant(const NewTenant& tenant);
    Result<TenantRecord> get_tenant(const std::string& tenant_id);
    // Binds a tenant to another policy name or config (the caller checked that it serves).
    Result<TenantRecord> rebind_tenant(const std::string& tenant_id, const std::string& policy_name,
                                       const std::string& policy_config);
    // The distinct configs tenants are bound with for a policy (for a swap to configure).
    Result<std::vector<std::string>> bound_policy_configs(const std::string& policy_name);
    // Tenants newest first after starting_after (empty: from the newest), at most limit.
    Result<std::vector<TenantRecord>> list_tenants(const std::string& starting_after, std::size_t limit);

    // Moves a test-mode tenant's clock forward, to a time (to_ms) or by a duration (by_ms, from
    // the clock as it is in the same transaction), and returns the tenant as it is then (DESIGN
    // §6: a test clock only moves forward; of two concurrent advances the further one wins).
    // test_clock_unavailable for a live tenant, invalid_request for a time before the clock or a
    // negative duration, test_clock_out_of_range for a time past sdk::now_ms_max (every time the
    // host stores must stay printable, and policies place times up to a century after now).
    // Runs no timer: Sweeper::run_due_for_tenant does, up to the new clock.
    Result<TenantRecord> advance_test_clock_to(const std::string& tenant_id, UtcMs to_ms);
    Result<TenantRecord> advance_test_clock_by(const std::string& tenant_id, std::int64_t by_ms);
    // Sets a test-mode tenant's clock back (or on) to the system clock's now, where a new test
    // clock starts: the way back from a clock moved too far (as Stripe deletes a test clock).
    // Orders, timers and money stay as they are; a timer due later runs when the clock reaches
    // it again, and an order decided later than the new now is decided at its last decision's
    // time (decision time never runs backwards on an order). test_clock_unavailable for a live
    // tenant.
    Result<TenantRecord> reset_test_clock(const std::string& tenant_id);

    // A customer account with a tenant-unique external_ref (not starting with '@', reserved
    // for system accounts) and a zero balance; duplicate_external_ref when the ref is taken,
    // also by a request that created it at the same moment.
    Result<AccountRecord> create_account(const std::string& tenant_id, const std::string& external_ref);
    Result<AccountRecord> get_account(const std::string& tenant_id, const std::string& account_id);

    // funding -> customer. Returns the account with its new balance.
    Result<AccountRecord> deposit(const std::string& tenant_id, const std::string& account_id, MinorUnits amount_minor);
    Result<IdempotentResult<AccountRecord>> deposit(const std::string& tenant_id, const std::string& account_id,
                                                    MinorUnits amount_minor, const IdempotencyKey<AccountRecord>& idem);

    // Quote, charge the price customer -> escrow, apply the quote's moves, insert the order with
    // its pinned terms, its timers and its first event. A refused quote comes back as an Error
    // with the policy's code; nothing is written.
    // The order's cancel preview is decided before any row is written, so no lock is held
    // through it.
    Result<PurchaseResult> purchase(const plugin::PolicyInstance& policy, const std::string& tenant_id,
                                    const std::string& account_id, const sdk::PurchaseRequest& request, UtcMs now_ms,
                                    Preview preview = Preview::cancel);
    Result<IdempotentResult<PurchaseResult>> purchase(const plugin::PolicyInstance& policy,
                                                      const std::string& tenant_id, const std::string& account_id,
                                                      const sdk::PurchaseRequest& request, UtcMs now_ms,
                                                      const IdempotencyKey<PurchaseResult>& idem);

    // Decides one event of a REQUEST on one order at now_ms, or at the order's last decision
    // (updated_at_ms) if that is later: decision time never runs backwards on an order, also
    // for a request that waited for the order's lock while a later one committed. A denial is a value (allowed false,
    // the policy's code, message and available_at) and writes nothing but, with a key, the
    // idempotency record (so a retry gets the same denial, never a later success). An allowed
    // decision that fails a host check is Error policy_violation and writes nothing.
    //
    // The caller (the HTTP layer) sets event.actor from the authenticated API key's role, never
    // from the request body. Refused with invalid_request: a "timer" event (timers run only
    // through run_leased_timer, at their due time, deleting their row in the same transaction;
    // one passed here would be applied at a caller-chosen time and then again by the sweeper),
    // a "purchase" event (the first event's label), the sweeper's actor "system", and any type,
    // actor or timer field the event record cannot hold.
    //
    // The cancel preview of an allowed decision is decided from the order as it will be written,
    // before the money is posted: the tenant's escrow row is locked only by the transfers, from
    // there to COMMIT, never through a second call into the policy.
    Result<EventResult> apply(const plugin::PolicyInstance& policy, const std::string& tenant_id,
                              const std::string& order_id, const sdk::Event& event, UtcMs now_ms,
                              Preview preview = Preview::cancel);
    Result<IdempotentResult<EventResult>> apply(const plugin::PolicyInstance& policy, const std::string& tenant_id,
                                                const std::string& order_id, const sdk::Event& event, UtcMs now_ms,
                                                const IdempotencyKey<EventResult>& idem);

    Result<OrderRecord> get_order(const std::string& tenant_id, const std::string& order_id);

    // What the tenant's policy WOULD decide on event for order at now_ms (or at the order's last
    // decision, if later), without writing anything: how the API shows a customer what they can
    // do now ("cancel": allowed, or the denial's code and available_at). The same checks as
    // apply refuse the same events; a decision the host would refuse is policy_violation.
    static Result<sdk::Decision> preview(const plugin::PolicyInstance& policy, const OrderRecord& order,
                                         const sdk::Event& event, UtcMs now_ms);
    // preview of customer_cancel() as an answer shows it.
    static ActionPreview cancel_preview(const plugin::PolicyInstance& policy, const OrderRecord& order, UtcMs now_ms);

    // Called after each commit of an allowed decision (purchases, requests, timers), on the
    // committing thread. Set once, before the engine is shared between threads.
    void set_change_listener(OrderChangeListener listener) { change_listener_ = std::move(listener); }

    // The sweeper's path, in ONE transaction: lock the order, delete the timer while owner holds
    // its lease and it is still this row, then apply Event{timer} with now = its due time, so a
    // late run decides as an on-time one. A failure is counted on the timer in a second, small
    // transaction (timers::record_failure) unless it is the database's trouble (a conflict, no
    // session, no connection), which says nothing about the timer: its lease just ends.
    // policies holds the timer's tenant (see TimerPolicies; Sweeper looks them up).
    TimerOutcome run_leased_timer(const timers::TimerRow& timer, const std::string& owner,
                                  const TimerPolicies& policies);

    // run_leased_timer for each timer of a claimed batch (bounded by the claim's batch_max), in
    // ONE write transaction: one commit (one fsync) per batch instead of one per timer. First the
    // set-based pass (run_set_based_in) decides the plain timers in memory and writes them with a
    // few statements per batch; then each timer it left runs inside its own SAVEPOINT, so its
    // effect and the delete of its row are kept or undone together; a timer whose run fails is
    // rolled back to its savepoint and its failure counted in the same transaction, and the rest
    // of the batch goes on. If the batch transaction itself fails (a conflict after the retries,
    // a lost connection, a set-based write the ledger refuses), nothing of it is committed and
    // every timer runs again in its own transaction. One outcome per timer, in batch order.
    std::vector<TimerOutcome> run_leased_timers(const std::vector<timers::TimerRow>& batch, const std::string& owner,
                                                const TimerPolicies& policies);

    // The sweeper's usual batch, claimed and run in ONE write transaction: no lease is written
    // for a timer that the same commit deletes. It locks the candidates' orders (id order, as
    // apply does), then those of the candidates' rows that are still claimable
    // (timers::lock_claimable: the row lock is the claim, and it ends with the transaction);
    // the set-based pass runs what it can; the timers it leaves are leased to owner until
    // lease_until_ms in the same transaction and run one by one, each in its savepoint, as in
    // run_leased_timers (so a failure is counted on a leased row, and retried after its
    // backoff). A candidate another sweeper holds is not claimed. An error: nothing of the batch
    // was committed, and none of it is claimed.
    Result<SweptBatch> run_due_batch(const std::vector<timers::TimerRow>& candidates, const std::string& owner,
                                     UtcMs now_ms, UtcMs lease_until_ms, const TimerPolicies& policies);

    // Opens a dispute on an order for its customer (one open dispute per order:
    // dispute_already_open otherwise), in one transaction with the policy's dispute_opened
    // decision, which sees the account's recent refunds and disputes (Context). A denial opens
    // nothing.
    Result<DisputeResult> open_dispute(const plugin::PolicyInstance& policy, const std::string& tenant_id,
                                       const std::string& order_id, const NewDispute& dispute, UtcMs now_ms);
    Result<IdempotentResult<DisputeResult>> open_dispute(const plugin::PolicyInstance& policy,
                                                         const std::string& tenant_id, const std::string& order_id,
                                                         const NewDispute& dispute, UtcMs now_ms,
                                                         const IdempotencyKey<DisputeResult>& idem);
    // Resolves an open dispute (dispute_not_open otherwise) with the policy's dispute_resolved
    // decision: a refund of amount_minor, or a rejection; actor is the person's role.
    Result<IdempotentResult<DisputeResult>> resolve_dispute(const plugin::PolicyInstance& policy,
                                                            const std::string& tenant_id, const std::string& dispute_id,
                                                            const DisputeResolution& resolution,
                                                            const std::string& actor, UtcMs now_ms,
                                                            const IdempotencyKey<DisputeResult>& idem);
    Result<DisputeRecord> get_dispute(const std::string& tenant_id, const std::string& dispute_id);

    // Forgets the idempotency records older than retention_ms (see idempotency::purge).
    Result<long long> purge_idempotency_records(std::int64_t retention_ms);

    // The tenant's parked timers (see timers.hpp), for operators.
    Result<std::vector<timers::ParkedTimer>> parked_timers(const std::string& tenant_id, std::size_t limit = 100);

    [[nodiscard]] storage::Database& database() noexcept { return db_; }
    [[nodiscard]] const Clock& clock() const noexcept { return clock_; }

private:
    Result<TenantRecord> advance_test_clock(const std::string& tenant_id,
                                            const std::function<Result<UtcMs>(UtcMs clock_ms)>& target);
    Result<EventResult> apply_in(soci::session& sql, const plugin::PolicyInstance& policy, const std::string& tenant_id,
                                 const std::string& order_id, const sdk::Event& event, UtcMs now_ms, Preview preview);
    // Decides event on the order (locked by the caller) and writes an allowed decision. The
    // result holds everything an answer shows: with preview_at_ms (a request's time) an allowed
    // decision's cancel preview too, decided before the money is written; without it (timers and
    // disputes, whose answers show none) the cancel preview is left empty, as for a denial.
    Result<EventResult> decide_in(soci::session& sql, const plugin::PolicyInstance& policy, const OrderRecord& before,
                                  const sdk::Event& event, UtcMs now_ms,
                                  const std::optional<UtcMs>& preview_at_ms = std::nullopt);
    Result<TimerOutcome> run_timer_in(soci::session& sql, const timers::TimerRow& timer, const std::string& owner,
                                      const TimerPolicies& policies);
    Result<TimerOutcome> run_timer_in_one_transaction(const timers::TimerRow& timer, const std::string& owner,
                                                      const TimerPolicies& policies);
    void tell(const std::string& event_type, const ApplyResult& result) const;
    Result<DisputeResult> open_dispute_in(soci::session& sql, const plugin::PolicyInstance& policy,
                                          const std::string& tenant_id, const std::string& order_id,
                                          const NewDispute& dispute, UtcMs now_ms);
    Result<DisputeResult> resolve_dispute_in(soci::session& sql, const plugin::PolicyInstance& policy,
                                             const std::string& tenant_id, const std::string& dispute_id,
                                             const DisputeResolution& resolution, const std::string& actor,
                                             UtcMs now_ms);
    Result<std::vector<TimerOutcome>> run_batch_in(soci::session& sql, const std::vector<timers::TimerRow>& batch,
                                                   const std::string& owner, const TimerPolicies& policies);
    // The orders of these timers, read and locked in id order (the first lock a batch takes).
    using OrdersById = std::map<std::string, OrderRecord>;
    Result<OrdersById> lock_orders_of(soci::session& sql, const std::vector<timers::TimerRow>& timers);
    // The set-based pass of a batch: decides each timer in memory over its order (orders, locked
    // by the caller before the batch's timers), and writes all the decisions together (one
    // statement per kind of row and chunk, row by row on SQLite; each account's balance once).
    // It takes only the plain case: the first timer of its order, still held, whose policy
    // decides without a charge and within the host's checks (or denies, or whose order is gone).
    // It sets done[i] for each timer it ran and leaves the rest (a failure to count, a charge, a
    // second timer of an order) to the per-timer pass after it. Any error here fails the whole
    // batch transaction. held says how the batch's rows are held: leased to owner (claimed in an
    // earlier transaction, so each is checked, and may have been lost) or locked by this
    // transaction.
    enum class Held { leased, locked };
    Result<Unit> run_set_based_in(soci::session& sql, const std::vector<timers::TimerRow>& batch,
                                  const std::string& owner, Held held, const OrdersById& orders,
                                  const TimerPolicies& policies, std::vector<std::optional<TimerOutcome>>& done);
    // The steps of the set-based pass (engine_timers.cpp): what it found so far; one timer, whose
    // outcome it sets when the pass takes it (its plan added to pass) and leaves empty when it
    // leaves it; and the pass's writes, its timers' rows deleted first.
    struct SetBasedPass;
    Result<Unit> decide_set_based(soci::session& sql, const timers::TimerRow& timer, const OrdersById& orders,
                                  const TimerPolicies& policies, SetBasedPass& pass,
                                  std::optional<TimerOutcome>& outcome);
    Result<Unit> write_set_based(soci::session& sql, const std::string& owner, Held held_as, const SetBasedPass& pass);
    // The per-timer pass after the set-based one: each timer not done runs in its own savepoint
    // (run_timer_in), its failure counted on its leased row. One outcome per timer, batch order.
    Result<std::vector<TimerOutcome>> run_rest_in(soci::session& sql, const std::vector<timers::TimerRow>& batch,
                                                  const std::string& owner, const TimerPolicies& policies,
                                                  std::vector<std::optional<TimerOutcome>>& done);
    TimerOutcome record_timer_failure(const timers::TimerRow& timer, const std::string& owner, const Error& error);

    // The tenant's system accounts, cached: they never change once the tenant exists.
    Result<ledger::SystemAccounts> system_accounts(soci::session& sql, const std::string& tenant_id);

    storage::Database& db_;
    const Clock& clock_;
    OrderChangeListener change_listener_;
    static constexpr std::size_t system_accounts_cached_max = 10'000;
    std::mutex system_accounts_mutex_;
    LruCache<std::string, ledger::SystemAccounts> system_accounts_{system_accounts_cached_max};
};

}  // namespace billing
