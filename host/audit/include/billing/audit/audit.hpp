// The ledger audit (DESIGN §4): every invariant of the ledger, checked over the whole database
// with set-based SQL, each violation named by a stable code with the ids and numbers involved.
//
// The audit only reads. It runs in one read transaction so that all checks see the same
// snapshot while the engine keeps writing (SQLite: a deferred BEGIN; PostgreSQL: REPEATABLE
// READ; MySQL: a consistent snapshot).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/storage/database.hpp"

namespace billing::audit {

// The stable invariant codes. A code never changes meaning; scripts and alerts match on them.
namespace invariant {
// Tenants and their accounts.
inline constexpr const char* missing_system_account = "missing_system_account";      // no funding/escrow/revenue
inline constexpr const char* duplicate_system_account = "duplicate_system_account";  // more than one of a kind
inline constexpr const char* unknown_account_kind = "unknown_account_kind";
inline constexpr const char* account_unknown_tenant = "account_unknown_tenant";
inline constexpr const char* negative_customer_balance = "negative_customer_balance";
inline constexpr const char* balance_mismatch = "balance_mismatch";  // balance != credits - debits
inline constexpr const char* tenant_not_zero = "tenant_not_zero";    // a tenant's balances sum to non-zero
inline constexpr const char* escrow_mismatch = "escrow_mismatch";    // escrow != what the orders hold
// Transfers.
inline constexpr const char* transfer_not_positive = "transfer_not_positive";
inline constexpr const char* transfer_unknown_account = "transfer_unknown_account";
inline constexpr const char* transfer_crosses_tenants = "transfer_crosses_tenants";
inline constexpr const char* unknown_transfer_kind = "unknown_transfer_kind";
inline constexpr const char* transfer_kind_mismatch = "transfer_kind_mismatch";  // e.g. a charge into revenue
inline constexpr const char* transfer_missing_order = "transfer_missing_order";  // an order kind without order
inline constexpr const char* transfer_unknown_order = "transfer_unknown_order";  // no such order in the tenant
// Orders.
inline constexpr const char* order_account_invalid = "order_account_invalid";  // not a customer of its tenant
inline constexpr const char* escrow_negative_for_order = "escrow_negative_for_order";
inline constexpr const char* refund_exceeds_charge = "refund_exceeds_charge";
inline constexpr const char* revenue_refund_exceeds_capture = "revenue_refund_exceeds_capture";
inline constexpr const char* final_order_holds_escrow = "final_order_holds_escrow";
inline constexpr const char* order_transfers_mismatch = "order_transfers_mismatch";
}  // namespace invariant

// What a violation is about; subject_id is the id of that record.
enum class Subject { tenant, account, transfer, order };
std::string_view to_string(Subject subject);

struct Violation {
    std::string code;  // one of invariant::*
    std::string tenant_id;
    Subject subject = Subject::tenant;
    std::string subject_id;
    std::string related_id;  // the other record involved (the account a transfer names...), or ""
    std::string field;       // what was compared: a column ("charged_minor") or an account kind, or ""
    // The numbers compared, in minor units (or counts), when the invariant compares numbers.
    // For a bound (balance >= 0, refunded <= charged) expected is the bound.
    std::optional<std::int64_t> expected;
    std::optional<std::int64_t> actual;
    std::string message;  // for people: says what is wrong, with the ids and numbers
};

struct AuditCounts {
    std::int64_t tenants = 0;
    std::int64_t accounts = 0;
    std::int64_t transfers = 0;
    std::int64_t orders = 0;
};

struct AuditOptions {
    // A badly broken database could produce millions of violations; each check reports at most
    // this many (the first ones by tenant and id) and is listed in AuditReport::truncated.
    std::uint32_t violations_per_check_max = 100;
};

struct AuditReport {
    AuditCounts checked;
    std::vector<Violation> violations;   // in check order, then by tenant and id
    std::vector<std::string> truncated;  // codes of the checks that found more than the maximum

    [[nodiscard]] bool ok() const { return violations.empty(); }
};

// Checks every invariant over the whole database. A storage failure comes back as an Error
// (storage_error::* code, the message naming the check that failed); violations are not errors.
Result<AuditReport> run_audit(storage::Database& db, const AuditOptions& options = {});

// One line per violation, then one summary line, each ending in '\n'.
std::string format_report(const AuditReport& report);

}  // namespace billing::audit
