// The API's list reads: cursor pages of a tenant's accounts, orders, an account's transfers and
// an order's events. Every query is scoped by tenant_id; a cursor (starting_after) of another
// tenant, or of no record, is Error not_found, exactly like an unknown id (DESIGN §6).
//
// Pages are newest first, ordered by (created_at_ms, id) descending; a page asks for limit + 1
// rows so that has_more needs no COUNT. A page is one statement that reads whole rows (plus one
// to find the cursor's row when there is one), never a list of ids read one by one.
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/storage/events.hpp"
#include "billing/storage/records.hpp"

namespace billing::queries {

inline constexpr const char* cursor_not_found = "cursor_not_found";

template <class T>
struct Page {
    std::vector<T> data;
    bool has_more = false;
};

struct OrderFilter {
    std::optional<std::string> account_id;
    std::optional<std::string> state;
};

Result<Page<OrderRecord>> orders(soci::session& sql, const std::string& tenant_id, const OrderFilter& filter,
                                 const std::string& starting_after, std::size_t limit);

// Customer accounts only (system accounts are the tenant's ledger, not its customers').
Result<Page<AccountRecord>> accounts(soci::session& sql, const std::string& tenant_id,
                                     const std::optional<std::string>& external_ref, const std::string& starting_after,
                                     std::size_t limit);

struct TransferView {
    std::string id;
    std::string kind;
    MinorUnits amount_minor = 0;
    bool credit = false;            // money into the account (else out of it)
    std::string counterparty_kind;  // the other account's kind: funding, escrow, revenue, customer
    std::string order_id;
    UtcMs created_at_ms = 0;
};

// The transfers into or out of one of the tenant's customer accounts.
Result<Page<TransferView>> transfers(soci::session& sql, const std::string& tenant_id, const std::string& account_id,
                                     const std::string& starting_after, std::size_t limit);

// An order's events in the order they happened (seq), oldest first: its history reads forward.
// starting_after is an event id of this order.
Result<Page<events::EventRow>> order_events(soci::session& sql, const std::string& tenant_id,
                                            const std::string& order_id, const std::string& starting_after,
                                            std::size_t limit);

}  // namespace billing::queries
