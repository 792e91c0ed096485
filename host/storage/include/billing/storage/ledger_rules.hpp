// The ledger's rules, once, in C++ and without a database: which transfers exist (the shared
// vocabulary's kinds, between accounts of the kinds it names), how much one may move, how low a
// debit may take an account (only funding may go negative) and how high a credit may take one.
//
// Every writer of the ledger checks a transfer here against the balances it read (and locked)
// in its transaction: post_all against the batch's locked accounts; post() binds the same floor
// and ceiling into its conditional UPDATEs, which stay as the safety net, and explains a refusal
// by these rules. The error of each breach (its stable code and words) is given here too, so
// that one refused transfer reads the same whichever path wrote it.
#pragma once

#include <string>
#include <string_view>

#include "billing/core/result.hpp"
#include "billing/storage/ledger_vocabulary.hpp"
#include "billing/storage/records.hpp"

namespace billing::ledger {

namespace vocabulary = storage::ledger_vocabulary;

namespace detail {
// The vocabulary's own spelling of a transfer kind; a name it does not know fails to compile.
// A C string, because the names end up in SOCI binds and C-string test helpers; the vocabulary's
// names are string literals, so data() is NUL-terminated.
// (A loop over the array rather than find_transfer_kind's pointer: GCC 12 with
// -fsanitize=undefined cannot compare a pointer into a constexpr array with nullptr in a
// constant expression, and the ASan+UBSan build must compile this too.)
consteval const char* known_transfer_kind(std::string_view name) {
    for (const vocabulary::TransferKind& kind : vocabulary::transfer_kinds) {
        if (kind.name == name) return kind.name.data();
    }
    throw "not a transfer kind of the ledger vocabulary";
}
}  // namespace detail

namespace transfer_kind {
inline constexpr const char* deposit = detail::known_transfer_kind("deposit");
inline constexpr const char* purchase = detail::known_transfer_kind("purchase");
inline constexpr const char* charge = detail::known_transfer_kind("charge");
inline constexpr const char* capture = detail::known_transfer_kind("capture");
inline constexpr const char* refund = detail::known_transfer_kind("refund");
inline constexpr const char* refund_captured = detail::known_transfer_kind("refund_captured");
}  // namespace transfer_kind

// No balance may grow past this, and the funding account may not go below its negation: keeps
// every sum of balances far inside a BIGINT. Since money enters only by deposits, it bounds the
// deposits of a tenant in all (4611 deposits of 10^15 fit, the 4612th does not).
inline constexpr MinorUnits balance_minor_max = MinorUnits{1} << 62;

struct Transfer {
    std::string tenant_id;
    std::string debit_account_id;
    std::string credit_account_id;
    MinorUnits amount_minor = 0;
    std::string kind;      // transfer_kind::*
    std::string order_id;  // empty: none
    std::string event_id;  // empty: none
    UtcMs created_at_ms = 0;
};

struct SystemAccounts {
    std::string funding;
    std::string escrow;
    std::string revenue;
};

// An account as a writer read it in its transaction.
struct AccountState {
    std::string_view tenant_id;
    std::string_view kind;  // account_kind::*
    MinorUnits balance_minor = 0;
};

enum class Breach {
    none,
    unknown_kind,         // not a transfer kind of the vocabulary
    amount_out_of_range,  // not in 1..amount_minor_max
    same_account,         // debit and credit are one account
    debit_mismatch,       // the debit account is missing, of another tenant or of another kind
    debit_below_floor,    // the debit would take the account below its floor
    credit_mismatch,      // the credit account is missing, of another tenant or of another kind
    credit_above_cap,     // the credit would take the account past balance_minor_max
};

// The lowest balance an account of debit_kind may hold before a debit of amount: the amount
// itself (the account covers it), except funding, which may go down to -balance_minor_max.
constexpr MinorUnits debit_floor(std::string_view debit_kind, MinorUnits amount) {
    return debit_kind == vocabulary::account_kind::funding ? amount - balance_minor_max : amount;
}

// The highest balance an account may hold before a credit of amount.
constexpr MinorUnits credit_ceiling(MinorUnits amount) { return balance_minor_max - amount; }

// The checks that need no balance: a known kind, an amount in range, two accounts. kind is set
// to the vocabulary's entry when the kind is known.
Breach shape_breach(const Transfer& transfer, const vocabulary::TransferKind*& kind);

// The checks against the balances read: both accounts of the transfer's tenant and of the kinds
// its kind names, the debit not below its floor, the credit not past the cap. nullptr: the
// account was not found.
Breach balance_breach(const Transfer& transfer, const vocabulary::TransferKind& kind, const AccountState* debit,
                      const AccountState* credit);

// The error a breach is reported as: insufficient_funds (a customer debit not covered),
// balance_limit_exceeded (a deposit past the bound), invalid_request (the amount), else
// ledger_violation. kind may be nullptr (unknown_kind).
Error breach_error(Breach breach, const Transfer& transfer, const vocabulary::TransferKind* kind);

}  // namespace billing::ledger
