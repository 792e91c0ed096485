// The ledger's rules alone, no database: at the exact boundary of each (a balance exactly
// covering a debit and one minor unit short, a credit reaching the cap and passing it, the
// funding account's floor, the amount's bounds, the account kinds), and the error each breach
// is reported as.
#include "billing/storage/ledger_rules.hpp"

#include <gtest/gtest.h>

#include "billing/storage/engine_errors.hpp"
#include "billing/storage/ledger.hpp"

namespace billing::ledger {
namespace {

using Kind = vocabulary::TransferKind;

Transfer transfer(const char* kind, MinorUnits amount) {
    return Transfer{.tenant_id = "ten_1",
                    .debit_account_id = "acc_a",
                    .credit_account_id = "acc_b",
                    .amount_minor = amount,
                    .kind = kind,
                    .order_id = "ord_1",
                    .event_id = "evt_1",
                    .created_at_ms = 0};
}

const Kind& kind_of(const Transfer& t) {
    const Kind* kind = nullptr;
    EXPECT_EQ(shape_breach(t, kind), Breach::none);
    return *kind;
}

// The breach of t from a debit account holding debit_balance to a credit one holding credit_balance,
// each of the kind t's kind names.
Breach breach_of(const Transfer& t, MinorUnits debit_balance, MinorUnits credit_balance) {
    const Kind& kind = kind_of(t);
    const AccountState debit{"ten_1", kind.debit_account_kind, debit_balance};
    const AccountState credit{"ten_1", kind.credit_account_kind, credit_balance};
    return balance_breach(t, kind, &debit, &credit);
}

TEST(LedgerRules, ACustomerBalanceExactlyCoveringTheDebitPassesAndOneUnitShortIsInsufficientFunds) {
    const Transfer t = transfer(transfer_kind::purchase, 700);
    EXPECT_EQ(breach_of(t, 700, 0), Breach::none);
    EXPECT_EQ(breach_of(t, 699, 0), Breach::debit_below_floor);
    EXPECT_EQ(breach_error(Breach::debit_below_floor, t, &kind_of(t)).code, engine_error::insufficient_funds);
}

TEST(LedgerRules, EscrowAndRevenueNeverGoNegative) {
    const Transfer refund = transfer(transfer_kind::refund, 700);
    EXPECT_EQ(breach_of(refund, 700, 0), Breach::none);
    EXPECT_EQ(breach_of(refund, 699, 0), Breach::debit_below_floor);
    EXPECT_EQ(breach_error(Breach::debit_below_floor, refund, &kind_of(refund)).code, engine_error::ledger_violation);
    const Transfer back = transfer(transfer_kind::refund_captured, 700);
    EXPECT_EQ(breach_of(back, 700, 0), Breach::none);
    EXPECT_EQ(breach_of(back, 699, 0), Breach::debit_below_floor);
}

TEST(LedgerRules, OnlyFundingMayGoNegativeDownToTheNegatedCap) {
    const Transfer deposit = transfer(transfer_kind::deposit, 700);
    EXPECT_EQ(breach_of(deposit, 0, 0), Breach::none);
    EXPECT_EQ(breach_of(deposit, 700 - balance_minor_max, 0), Breach::none);  // ends exactly at -2^62
    EXPECT_EQ(breach_of(deposit, 699 - balance_minor_max, 0), Breach::debit_below_floor);
    EXPECT_EQ(breach_error(Breach::debit_below_floor, deposit, &kind_of(deposit)).code,
              engine_error::balance_limit_exceeded);
}

TEST(LedgerRules, ACreditMayReachTheCapExactlyButNotPassIt) {
    const Transfer t = transfer(transfer_kind::capture, 700);
    EXPECT_EQ(breach_of(t, 700, balance_minor_max - 700), Breach::none);
    EXPECT_EQ(breach_of(t, 700, balance_minor_max - 699), Breach::credit_above_cap);
    EXPECT_EQ(breach_error(Breach::credit_above_cap, t, &kind_of(t)).code, engine_error::ledger_violation);
    const Transfer deposit = transfer(transfer_kind::deposit, 700);
    EXPECT_EQ(breach_of(deposit, 0, balance_minor_max - 699), Breach::credit_above_cap);
    EXPECT_EQ(breach_error(Breach::credit_above_cap, deposit, &kind_of(deposit)).code,
              engine_error::balance_limit_exceeded);
}

TEST(LedgerRules, TheAmountIsOneToTheMaximum) {
    const Kind* kind = nullptr;
    EXPECT_EQ(shape_breach(transfer(transfer_kind::charge, 1), kind), Breach::none);
    EXPECT_EQ(shape_breach(transfer(transfer_kind::charge, amount_minor_max), kind), Breach::none);
    EXPECT_EQ(shape_breach(transfer(transfer_kind::charge, 0), kind), Breach::amount_out_of_range);
    EXPECT_EQ(shape_breach(transfer(transfer_kind::charge, -1), kind), Breach::amount_out_of_range);
    EXPECT_EQ(shape_breach(transfer(transfer_kind::charge, amount_minor_max + 1), kind), Breach::amount_out_of_range);
    EXPECT_EQ(breach_error(Breach::amount_out_of_range, transfer(transfer_kind::charge, 0), kind).code,
              engine_error::invalid_request);
}

TEST(LedgerRules, AnUnknownKindAndOneAccountOnBothSidesAreRefused) {
    const Kind* kind = nullptr;
    const Transfer gift = transfer("gift", 1);
    EXPECT_EQ(shape_breach(gift, kind), Breach::unknown_kind);
    EXPECT_EQ(breach_error(Breach::unknown_kind, gift, kind).message, "transfer kind gift is not in the vocabulary");
    Transfer loop = transfer(transfer_kind::charge, 1);
    loop.credit_account_id = loop.debit_account_id;
    EXPECT_EQ(shape_breach(loop, kind), Breach::same_account);
}

TEST(LedgerRules, BothAccountsMustBeOfTheTenantAndOfTheKindsTheTransferKindNames) {
    const Transfer t = transfer(transfer_kind::refund, 100);  // escrow -> customer
    const Kind& kind = kind_of(t);
    const AccountState escrow{"ten_1", account_kind::escrow, 1000};
    const AccountState revenue{"ten_1", account_kind::revenue, 1000};
    const AccountState customer{"ten_1", account_kind::customer, 0};
    const AccountState strangers{"ten_2", account_kind::customer, 0};
    EXPECT_EQ(balance_breach(t, kind, &escrow, &customer), Breach::none);
    EXPECT_EQ(balance_breach(t, kind, &revenue, &customer), Breach::debit_mismatch);
    EXPECT_EQ(balance_breach(t, kind, nullptr, &customer), Breach::debit_mismatch);
    EXPECT_EQ(balance_breach(t, kind, &escrow, &strangers), Breach::credit_mismatch);
    EXPECT_EQ(balance_breach(t, kind, &escrow, &revenue), Breach::credit_mismatch);
    EXPECT_EQ(balance_breach(t, kind, &escrow, nullptr), Breach::credit_mismatch);
}

}  // namespace
}  // namespace billing::ledger
