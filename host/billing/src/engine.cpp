// Engine: tenants, accounts, deposits and reads. Purchases and events live in their own files.
#include "billing/engine/engine.hpp"

#include <optional>

#include "billing/storage/accounts.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/errors.hpp"
#include "billing/storage/idempotency.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/orders.hpp"
#include "billing/storage/tenants.hpp"
#include "idempotent_call.hpp"

namespace billing {

Engine::Engine(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

Result<ledger::SystemAccounts> Engine::system_accounts(soci::session& sql, const std::string& tenant_id) {
    {
        std::lock_guard lock(system_accounts_mutex_);
        if (const ledger::SystemAccounts* found = system_accounts_.find(tenant_id)) return *found;
    }
    auto read = ledger::system_accounts(sql, tenant_id);
    if (!read) return read;
    // Only a complete set is kept, and a tenant's system accounts are created with it and never
    // change (unique reserved refs). Read in a transaction that may still roll back: they were
    // found, so they are committed (tenants are created with Database::write_alone, so never in a
    // batch with the transaction reading them).
    std::lock_guard lock(system_accounts_mutex_);
    system_accounts_.put(tenant_id, read.value());
    return read;
}

Result<TenantRecord> Engine::create_tenant(const NewTenant& tenant) {
    if (tenant.currency.size() != 3 || tenant.name.empty() || tenant.policy_name.empty()) {
        return Error{engine_error::invalid_request, "a tenant needs a name, a policy and a 3-letter currency"};
    }
    const UtcMs now_ms = clock_.now_ms();
    // In a transaction of its own, never in a group-commit batch: system_accounts() caches what a
    // transaction finds, which must then be committed already, not a batch's that may roll back.
    return db_.write_alone([&](soci::session& sql) { return tenants::insert(sql, tenant, now_ms); });
}

Result<TenantRecord> Engine::rebind_tenant(const std::string& tenant_id, const std::string& policy_name,
                                           const std::string& policy_config) {
    if (policy_name.empty()) return Error{engine_error::invalid_request, "a tenant needs a policy"};
    return db_.write([&](soci::session& sql) { return tenants::rebind(sql, tenant_id, policy_name, policy_config); });
}

Result<std::vector<std::string>> Engine::bound_policy_configs(const std::string& policy_name) {
    return db_.read([&](soci::session& sql) -> Result<std::vector<std::string>> {
        return tenants::bound_configs(sql, policy_name);
    });
}

Result<TenantRecord> Engine::get_tenant(const std::string& tenant_id) {
    return db_.read([&](soci::session& sql) { return tenants::get(sql, tenant_id); });
}

Result<std::vector<TenantRecord>> Engine::list_tenants(const std::string& starting_after, std::size_t limit) {
    return db_.read([&](soci::session& sql) -> Result<std::vector<TenantRecord>> {
        return tenants::list(sql, starting_after, limit);
    });
}

Result<TenantRecord> Engine::advance_test_clock(const std::string& tenant_id,
                                                const std::function<Result<UtcMs>(UtcMs clock_ms)>& target) {
    return db_.write([&](soci::session& sql) -> Result<TenantRecord> {
        auto tenant = tenants::get(sql, tenant_id);
        if (!tenant) return tenant.error();
        if (!tenant.value().test_mode) {
            return Error{engine_error::test_clock_unavailable, "a live tenant runs on the system clock"};
        }
        auto to_ms = target(tenant.value().clock_ms);
        if (!to_ms) return to_ms.error();
        tenants::advance_clock(sql, tenant_id, to_ms.value());
        return tenants::get(sql, tenant_id);
    });
}

namespace {

std::optional<Error> refuse_past_now_max(UtcMs to_ms) {
    if (to_ms <= sdk::now_ms_max) return std::nullopt;
    return Error{engine_error::test_clock_out_of_range,
                 "a test clock reads at most 9900-01-01T00:00:00.000Z (epoch ms " + std::to_string(sdk::now_ms_max) +
                     "), so that every time computed from it stays printable; DELETE /v1/test-clock resets it"};
}

}  // namespace

Result<TenantRecord> Engine::advance_test_clock_to(const std::string& tenant_id, UtcMs to_ms) {
    return advance_test_clock(tenant_id, [&](UtcMs clock_ms) -> Result<UtcMs> {
        if (to_ms < clock_ms) return Error{engine_error::invalid_request, "a test clock only moves forward"};
        if (auto refused = refuse_past_now_max(to_ms)) return *refused;
        return to_ms;
    });
}

Result<TenantRecord> Engine::advance_test_clock_by(const std::string& tenant_id, std::int64_t by_ms) {
    return advance_test_clock(tenant_id, [&](UtcMs clock_ms) -> Result<UtcMs> {
        // A year at most per call keeps every sum far from overflowing.
        constexpr std::int64_t by_ms_max = 366 * sdk::ms_per_day;
        if (by_ms < 0 || by_ms > by_ms_max) {
            return Error{engine_error::invalid_request, "a test clock moves forward by 0 to 366 days at a time"};
        }
        // A clock stored past the bound (by a version that did not check it) is refused too: it
        // only ever goes back by a reset.
        if (auto refused = refuse_past_now_max(clock_ms + by_ms)) return *refused;
        return clock_ms + by_ms;
    });
}

Result<TenantRecord> Engine::reset_test_clock(const std::string& tenant_id) {
    const UtcMs now_ms = clock_.now_ms();
    return db_.write([&](soci::session& sql) -> Result<TenantRecord> {
        auto tenant = tenants::get(sql, tenant_id);
        if (!tenant) return tenant.error();
        if (!tenant.value().test_mode) {
            return Error{engine_error::test_clock_unavailable, "a live tenant runs on the system clock"};
        }
        tenants::set_clock(sql, tenant_id, now_ms);
        return tenants::get(sql, tenant_id);
    });
}

Result<AccountRecord> Engine::create_account(const std::string& tenant_id, const std::string& external_ref) {
    const UtcMs now_ms = clock_.now_ms();
    auto created = db_.write([&](soci::session& sql) -> Result<AccountRecord> {
        if (auto tenant = tenants::get(sql, tenant_id); !tenant) {
            return tenant.error();
        }
        return accounts::insert(sql, tenant_id, account_kind::customer, external_ref, now_ms);
    });
    // The only constraint a new, empty customer account can break is the unique
    // (tenant_id, external_ref) index.
    if (!created && created.error().code == storage::storage_error::constraint) {
        return Error{engine_error::duplicate_external_ref, "an account with this external_ref exists"};
    }
    return created;
}

Result<AccountRecord> Engine::get_account(const std::string& tenant_id, const std::string& account_id) {
    return db_.read([&](soci::session& sql) { return accounts::get(sql, tenant_id, account_id); });
}

namespace {

Result<AccountRecord> deposit_in(soci::session& sql, const std::string& tenant_id, const std::string& account_id,
                                 MinorUnits amount_minor, UtcMs now_ms) {
    auto customer = accounts::get_customer(sql, tenant_id, account_id);
    if (!customer) return customer.error();
    auto system = ledger::system_accounts(sql, tenant_id);
    if (!system) return system.error();
    const ledger::Transfer transfer{.tenant_id = tenant_id,
                                    .debit_account_id = system.value().funding,
                                    .credit_account_id = account_id,
                                    .amount_minor = amount_minor,
                                    .kind = ledger::transfer_kind::deposit,
                                    .order_id = "",
                                    .event_id = "",
                                    .created_at_ms = now_ms};
    if (auto posted = ledger::post(sql, transfer); !posted) return posted.error();
    return accounts::get(sql, tenant_id, account_id);
}

std::optional<Error> refuse_amount(MinorUnits amount_minor) {
    if (amount_minor <= 0 || amount_minor > amount_minor_max) {
        return Error{engine_error::invalid_request, "a deposit must be in 1.." + std::to_string(amount_minor_max)};
    }
    return std::nullopt;
}

}  // namespace

Result<AccountRecord> Engine::deposit(const std::string& tenant_id, const std::string& account_id,
                                      MinorUnits amount_minor) {
    if (auto refused = refuse_amount(amount_minor)) return *refused;
    const UtcMs now_ms = clock_.now_ms();
    return db_.write([&](soci::session& sql) { return deposit_in(sql, tenant_id, account_id, amount_minor, now_ms); });
}

Result<IdempotentResult<AccountRecord>> Engine::deposit(const std::string& tenant_id, const std::string& account_id,
                                                        MinorUnits amount_minor,
                                                        const IdempotencyKey<AccountRecord>& idem) {
    if (auto refused = refuse_amount(amount_minor)) return *refused;
    if (auto refused = idempotency::refusal(idem.key, idem.request_hash, static_cast<bool>(idem.respond))) {
        return *refused;
    }
    const UtcMs now_ms = clock_.now_ms();
    if (auto replayed = idempotent_call::replay_before_writing(db_, tenant_id, idem)) return std::move(*replayed);
    return db_.write([&](soci::session& sql) {
        return idempotent_call::run(sql, tenant_id, idem, now_ms,
                                    [&] { return deposit_in(sql, tenant_id, account_id, amount_minor, now_ms); });
    });
}

Result<OrderRecord> Engine::get_order(const std::string& tenant_id, const std::string& order_id) {
    return db_.read([&](soci::session& sql) { return orders::get(sql, tenant_id, order_id); });
}

Result<long long> Engine::purge_idempotency_records(std::int64_t retention_ms) {
    const UtcMs before_ms = clock_.now_ms() - retention_ms;
    return db_.write([&](soci::session& sql) -> Result<long long> { return idempotency::purge(sql, before_ms); });
}

Result<std::vector<timers::ParkedTimer>> Engine::parked_timers(const std::string& tenant_id, std::size_t limit) {
    return db_.read([&](soci::session& sql) -> Result<std::vector<timers::ParkedTimer>> {
        return timers::parked(sql, tenant_id, limit);
    });
}

}  // namespace billing
