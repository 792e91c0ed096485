// The tenants' system accounts (escrow, revenue, funding) of one group-commit batch
// (database.hpp). Every purchase credits its tenant's escrow account: posted one UPDATE at a
// time, that row is written, and on a server locked, by every write of the batch in turn.
// Inside a batch, ledger::post adds a system account's move to the account's sum here instead;
// flush() writes each sum with one UPDATE, in ascending account id order, just before COMMIT.
// The rows are neither read nor locked before then.
//
// The ledger's rules hold exactly as if each posting had been written at once. A posting checks
// the balance it leaves (at least the floor after a debit, at most the cap after a credit:
// ledger_rules.hpp); the balance before the batch is not read, so each account keeps the lowest
// and the highest running sum of its moves, and flush's UPDATE is conditional on the stored
// balance keeping every running balance within the bounds. When a condition fails (or a sum
// does not fit in 64 bits, or the row is missing or of another tenant or kind), flush throws
// HeldBalancesRefused: the batch rolls back, and each of its writes runs alone, where the posting
// that breaks a rule gets its exact error.
//
// A write that rolls back to its savepoint takes its own moves back (begin_write / undo_write).
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "billing/storage/records.hpp"

namespace billing::storage {

struct HeldBalancesRefused : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class HeldBalances {
public:
    // Adds delta_minor (negative for a debit) to the account's sum. false: the batch already
    // holds this account for another tenant or kind (the posting names a mismatched account).
    [[nodiscard]] bool add(const std::string& account_id, std::string_view tenant_id, std::string_view kind,
                           MinorUnits delta_minor);

    // A write's moves, so that a write rolled back to its savepoint can take them back.
    void begin_write() { undo_.clear(); }
    void undo_write();

    // Writes every account's sum (see above); throws HeldBalancesRefused or a SOCI error.
    void flush(soci::session& sql);

private:
    struct Account {
        std::string tenant_id;
        std::string kind;
        MinorUnits sum = 0;       // what the batch moves in all
        MinorUnits lowest = 0;    // the lowest running sum (0 before the first move)
        MinorUnits highest = 0;   // the highest running sum
        bool overflowed = false;  // a running sum left the 64-bit range: flush refuses
    };
    std::map<std::string, Account> accounts_;  // ascending id: flush's lock order
    // The current write's changes, oldest first: the account's state before it (none: new).
    std::vector<std::pair<std::string, std::optional<Account>>> undo_;
};

// The batch's HeldBalances of a session leased for a group-commit batch on this thread, else
// nullptr (database.cpp).
HeldBalances* held_balances_of(soci::session& sql) noexcept;

}  // namespace billing::storage
