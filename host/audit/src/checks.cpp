#include "checks.hpp"

#include <string_view>
#include <vector>

#include "billing/storage/ledger_vocabulary.hpp"

namespace billing::audit::detail {

namespace {

namespace vocabulary = storage::ledger_vocabulary;
namespace q = audit_queries;
using vocabulary::TransferKind;

std::string_view side_kind(const TransferKind& kind, bool debit) {
    return debit ? kind.debit_account_kind : kind.credit_account_kind;
}

std::string_view expected_side_kind(std::string_view kind, bool debit) {
    const TransferKind* found = vocabulary::find_transfer_kind(kind);
    return found != nullptr ? side_kind(*found, debit) : std::string_view("?");
}

std::string n(const std::optional<std::int64_t>& value) { return value ? std::to_string(*value) : std::string("NULL"); }

Check order_transfers_check() {
    return {invariant::order_transfers_mismatch, Subject::order, "", q::order_transfers_mismatch(),
            [](const Check&, const CheckRow& r) {
                return "order " + r.subject_id + " has " + r.field + " = " + n(r.actual) + " but its " + r.note_a +
                       " transfers sum to " + n(r.expected);
            }};
}

void add_system_account_checks(std::vector<Check>& out) {
    for (std::string_view kind : vocabulary::system_account_kinds) {
        out.push_back({invariant::missing_system_account, Subject::tenant, std::string(kind),
                       q::missing_system_account(kind), [](const Check& c, const CheckRow& r) {
                           return "tenant " + r.tenant_id + " has no " + c.field + " account";
                       }});
        out.push_back({invariant::duplicate_system_account, Subject::tenant, std::string(kind),
                       q::duplicate_system_account(kind), [](const Check& c, const CheckRow& r) {
                           return "tenant " + r.tenant_id + " has " + n(r.actual) + " " + c.field +
                                  " accounts, expected exactly 1";
                       }});
    }
}

void add_account_checks(std::vector<Check>& out) {
    out.push_back({invariant::unknown_account_kind, Subject::account, "kind", q::unknown_account_kind(),
                   [](const Check&, const CheckRow& r) {
                       return "account " + r.subject_id + " has the unknown kind '" + r.note_a + "'";
                   }});
    out.push_back({invariant::account_unknown_tenant, Subject::account, "tenant_id", q::account_unknown_tenant(),
                   [](const Check&, const CheckRow& r) {
                       return "account " + r.subject_id + " belongs to tenant " + r.tenant_id +
                              ", which does not exist";
                   }});
    out.push_back({invariant::negative_customer_balance, Subject::account, "balance_minor",
                   q::negative_customer_balance(), [](const Check&, const CheckRow& r) {
                       return "customer account " + r.subject_id + " has the negative balance " + n(r.actual);
                   }});
    out.push_back({invariant::balance_mismatch, Subject::account, "balance_minor", q::balance_mismatch(),
                   [](const Check&, const CheckRow& r) {
                       return "account " + r.subject_id + " has the balance " + n(r.actual) +
                              " but its transfers (credits - debits) sum to " + n(r.expected);
                   }});
    out.push_back({invariant::tenant_not_zero, Subject::tenant, "balance_minor", q::tenant_not_zero(),
                   [](const Check&, const CheckRow& r) {
                       return "the balances of tenant " + r.tenant_id + " sum to " + n(r.actual) + ", not 0";
                   }});
    out.push_back({invariant::escrow_mismatch, Subject::account, "balance_minor", q::escrow_mismatch(),
                   [](const Check&, const CheckRow& r) {
                       return "escrow account " + r.subject_id + " of tenant " + r.tenant_id + " holds " + n(r.actual) +
                              " but the tenant's orders hold " + n(r.expected);
                   }});
}

void add_transfer_checks(std::vector<Check>& out) {
    out.push_back({invariant::transfer_not_positive, Subject::transfer, "amount_minor", q::transfer_not_positive(),
                   [](const Check&, const CheckRow& r) {
                       return r.note_a + " transfer " + r.subject_id + " has the amount " + n(r.actual) +
                              "; every amount must be > 0";
                   }});
    for (const bool debit : {true, false}) {
        const std::string side = debit ? "debit_account_id" : "credit_account_id";
        out.push_back({invariant::transfer_unknown_account, Subject::transfer, side,
                       q::transfer_unknown_account(debit ? q::Side::debit : q::Side::credit),
                       [](const Check& c, const CheckRow& r) {
                           return "transfer " + r.subject_id + " names the unknown account " + r.related_id +
                                  " as its " + c.field;
                       }});
        out.push_back({invariant::transfer_crosses_tenants, Subject::transfer, side,
                       q::transfer_crosses_tenants(debit ? q::Side::debit : q::Side::credit),
                       [](const Check& c, const CheckRow& r) {
                           return "transfer " + r.subject_id + " of tenant " + r.tenant_id + " has as its " + c.field +
                                  " account " + r.related_id + " of tenant " + r.note_a;
                       }});
    }
    out.push_back({invariant::unknown_transfer_kind, Subject::transfer, "kind", q::unknown_transfer_kind(),
                   [](const Check&, const CheckRow& r) {
                       return "transfer " + r.subject_id + " has the unknown kind '" + r.note_a + "'";
                   }});
    for (const bool debit : {true, false}) {
        const std::string side = debit ? "debit_account_id" : "credit_account_id";
        out.push_back(
            {invariant::transfer_kind_mismatch, Subject::transfer, side,
             q::transfer_kind_mismatch(debit ? q::Side::debit : q::Side::credit),
             debit ? +[](const Check&, const CheckRow& r) {
                 return r.note_a + " transfer " + r.subject_id + " debits the " + r.note_b + " account " +
                        r.related_id + "; a " + r.note_a + " debits an account of kind " +
                        std::string(expected_side_kind(r.note_a, true)) + " account";
             }
                   : +[](const Check&, const CheckRow& r) {
                         return r.note_a + " transfer " + r.subject_id + " credits the " + r.note_b + " account " +
                                r.related_id + "; a " + r.note_a + " credits an account of kind " +
                                std::string(expected_side_kind(r.note_a, false)) + " account";
                     }});
    }
    out.push_back(
        {invariant::transfer_missing_order, Subject::transfer, "order_id", q::transfer_missing_order(),
         [](const Check&, const CheckRow& r) { return r.note_a + " transfer " + r.subject_id + " names no order"; }});
    out.push_back({invariant::transfer_unknown_order, Subject::transfer, "order_id", q::transfer_unknown_order(),
                   [](const Check&, const CheckRow& r) {
                       return r.note_a + " transfer " + r.subject_id + " names the order " + r.related_id +
                              ", which tenant " + r.tenant_id + " does not have";
                   }});
}

void add_order_checks(std::vector<Check>& out) {
    out.push_back({invariant::order_account_invalid, Subject::order, "account_id", q::order_account_invalid(),
                   [](const Check&, const CheckRow& r) {
                       if (r.note_a.empty()) {
                           return "order " + r.subject_id + " belongs to the unknown account " + r.related_id;
                       }
                       return "order " + r.subject_id + " of tenant " + r.tenant_id + " belongs to the " + r.note_a +
                              " account " + r.related_id + " of tenant " + r.note_b +
                              "; expected a customer account of its own tenant";
                   }});
    out.push_back({invariant::escrow_negative_for_order, Subject::order, "held_minor", q::escrow_negative_for_order(),
                   [](const Check&, const CheckRow& r) {
                       return "order " + r.subject_id + " holds " + n(r.actual) +
                              " in escrow (charged - captured - refunded_from_escrow); must be >= 0";
                   }});
    out.push_back({invariant::refund_exceeds_charge, Subject::order, "refunded_minor", q::refund_exceeds_charge(),
                   [](const Check&, const CheckRow& r) {
                       return "order " + r.subject_id + " refunded " + n(r.actual) + " in all but was charged only " +
                              n(r.expected);
                   }});
    out.push_back({invariant::revenue_refund_exceeds_capture, Subject::order, "refunded_from_revenue_minor",
                   q::revenue_refund_exceeds_capture(), [](const Check&, const CheckRow& r) {
                       return "order " + r.subject_id + " refunded " + n(r.actual) +
                              " out of revenue but captured only " + n(r.expected);
                   }});
    // DESIGN §4: escrow equals what *open* orders hold, so a final order holds nothing. A
    // negative hold is escrow_negative_for_order's to report.
    out.push_back({invariant::final_order_holds_escrow, Subject::order, "held_minor", q::final_order_holds_escrow(),
                   [](const Check&, const CheckRow& r) {
                       return "final order " + r.subject_id + " still holds " + n(r.actual) + " in escrow";
                   }});
    out.push_back(order_transfers_check());
}

}  // namespace

const std::vector<Check>& checks() {
    static const std::vector<Check> list = [] {
        std::vector<Check> out;
        add_system_account_checks(out);
        add_account_checks(out);
        add_transfer_checks(out);
        add_order_checks(out);
        return out;
    }();
    return list;
}

}  // namespace billing::audit::detail
