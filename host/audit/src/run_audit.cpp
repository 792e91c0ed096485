#include <soci/soci.h>

#include <algorithm>

#include "billing/audit/audit.hpp"
#include "checks.hpp"

namespace billing::audit {

namespace {

using storage::Backend;

// A read transaction in which every query sees the same snapshot of the database.
std::vector<std::string> begin_snapshot(Backend backend) {
    switch (backend) {
        case Backend::sqlite3:
            // Deferred: the first SELECT takes the WAL read snapshot, held until the end. No
            // write lock is taken, so the engine keeps writing while the audit runs.
            return {"BEGIN"};
        case Backend::postgresql:
            return {"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"};
        case Backend::mysql:
            return {"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                    "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"};
    }
    return {"BEGIN"};
}

// Ends the snapshot on every way out, so the pooled session goes back without a transaction.
class Snapshot {
public:
    Snapshot(soci::session& sql, Backend backend) : sql_(sql) {
        for (const std::string& statement : begin_snapshot(backend)) {
            sql_ << statement;
        }
    }
    ~Snapshot() {
        try {
            sql_ << "ROLLBACK";
        } catch (...) {
            // A lost connection has ended the transaction already; the pool reconnects.
        }
    }
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

private:
    soci::session& sql_;
};

std::int64_t count_rows(soci::session& sql, const char* table) {
    long long count = 0;
    sql << "SELECT COUNT(*) FROM " + std::string(table), soci::into(count);
    return static_cast<std::int64_t>(count);
}

std::string text_or_empty(const std::string& value, soci::indicator ind) {
    return ind == soci::i_ok ? value : std::string();
}

std::optional<std::int64_t> number_or_none(long long value, soci::indicator ind) {
    return ind == soci::i_ok ? std::optional<std::int64_t>(static_cast<std::int64_t>(value)) : std::nullopt;
}

// Runs one check and appends at most `max` violations; returns whether it found more.
bool run_check(soci::session& sql, const detail::Check& check, std::uint32_t max, std::vector<Violation>& out) {
    std::string tenant_id, subject_id, related_id, field, note_a, note_b;
    long long expected = 0, actual = 0;
    soci::indicator tenant_ind = soci::i_ok, subject_ind = soci::i_ok, related_ind = soci::i_ok,
                    field_ind = soci::i_ok, note_a_ind = soci::i_ok, note_b_ind = soci::i_ok,
                    expected_ind = soci::i_ok, actual_ind = soci::i_ok;
    // One row past the maximum tells whether the list was cut.
    const std::string query = check.sql + " ORDER BY 1, 2, 3, 4 LIMIT " + std::to_string(std::uint64_t{max} + 1);
    soci::statement st = (sql.prepare << query, soci::into(tenant_id, tenant_ind),
                          soci::into(subject_id, subject_ind), soci::into(related_id, related_ind),
                          soci::into(field, field_ind), soci::into(note_a, note_a_ind),
                          soci::into(note_b, note_b_ind), soci::into(expected, expected_ind),
                          soci::into(actual, actual_ind));
    st.execute();
    std::uint32_t found = 0;
    bool more = false;
    while (st.fetch()) {
        if (found == max) {
            more = true;
            break;
        }
        ++found;
        const detail::CheckRow row{text_or_empty(tenant_id, tenant_ind),
                                   text_or_empty(subject_id, subject_ind),
                                   text_or_empty(related_id, related_ind),
                                   field_ind == soci::i_ok ? field : check.field,
                                   text_or_empty(note_a, note_a_ind),
                                   text_or_empty(note_b, note_b_ind),
                                   number_or_none(expected, expected_ind),
                                   number_or_none(actual, actual_ind)};
        out.push_back(Violation{check.code, row.tenant_id, check.subject, row.subject_id, row.related_id,
                                row.field, row.expected, row.actual, check.describe(check, row)});
    }
    // st is destroyed here, before the snapshot's ROLLBACK: SQLite refuses to end a transaction
    // while a statement is still stepping (the loop may have stopped early).
    return more;
}

}  // namespace

std::string_view to_string(Subject subject) {
    switch (subject) {
        case Subject::tenant:
            return "tenant";
        case Subject::account:
            return "account";
        case Subject::transfer:
            return "transfer";
        case Subject::order:
            return "order";
    }
    return "?";
}

Result<AuditReport> run_audit(storage::Database& db, const AuditOptions& options) {
    const char* current = "counts";
    auto result = db.read([&](soci::session& sql) -> Result<AuditReport> {
        AuditReport report;
        try {
            const Snapshot snapshot(sql, db.dialect().backend);
            report.checked.tenants = count_rows(sql, "tenants");
            report.checked.accounts = count_rows(sql, "accounts");
            report.checked.transfers = count_rows(sql, "transfers");
            report.checked.orders = count_rows(sql, "orders");
            for (const detail::Check& check : detail::checks()) {
                current = check.code;
                const bool cut = run_check(sql, check, options.violations_per_check_max, report.violations);
                if (cut && std::find(report.truncated.begin(), report.truncated.end(), check.code) ==
                               report.truncated.end()) {
                    report.truncated.emplace_back(check.code);
                }
            }
        } catch (...) {
            return storage::describe_current_storage_failure();
        }
        return report;
    });
    if (!result) {
        return Error{result.error().code,
                     "audit failed in check " + std::string(current) + ": " + result.error().message};
    }
    return result;
}

}  // namespace billing::audit
