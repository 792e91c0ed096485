// The words of the ledger, in one place: the kinds of account and of transfer, which account kind
// each transfer kind debits and credits, and which money column of an order it adds up to. The
// engine writes by this table and the audit checks by it, so the two can never disagree.
#pragma once

#include <array>
#include <string_view>

namespace billing::storage::ledger_vocabulary {

namespace account_kind {
inline constexpr std::string_view customer = "customer";
inline constexpr std::string_view funding = "funding";  // where deposits come from; the only account that goes negative
inline constexpr std::string_view escrow = "escrow";    // holds what customers paid until captured or refunded
inline constexpr std::string_view revenue = "revenue";  // what the tenant has earned
}  // namespace account_kind

inline constexpr std::array<std::string_view, 3> system_account_kinds = {account_kind::funding, account_kind::escrow,
                                                                         account_kind::revenue};

struct TransferKind {
    std::string_view name;
    std::string_view debit_account_kind;
    std::string_view credit_account_kind;
    std::string_view order_column;  // the orders column this kind adds up to; empty: not an order's
};

inline constexpr std::array<TransferKind, 6> transfer_kinds = {{
    {"deposit", account_kind::funding, account_kind::customer, ""},
    {"purchase", account_kind::customer, account_kind::escrow, "charged_minor"},  // with a new order
    {"charge", account_kind::customer, account_kind::escrow, "charged_minor"},    // on an existing order
    {"capture", account_kind::escrow, account_kind::revenue, "captured_minor"},
    {"refund", account_kind::escrow, account_kind::customer, "refunded_from_escrow_minor"},
    {"refund_captured", account_kind::revenue, account_kind::customer, "refunded_from_revenue_minor"},
}};

// The kind with this name, or nullptr.
constexpr const TransferKind* find_transfer_kind(std::string_view name) {
    for (const TransferKind& kind : transfer_kinds) {
        if (kind.name == name) {
            return &kind;
        }
    }
    return nullptr;
}

}  // namespace billing::storage::ledger_vocabulary
