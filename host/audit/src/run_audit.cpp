#include <soci/soci.h>

#include <algorithm>
#include <utility>

#include "billing/audit/audit.hpp"
#include "checks.hpp"

namespace billing::audit {

namespace {

namespace q = audit_queries;

// Runs one check and appends at most `max` violations; returns whether it found more.
bool run_check(q::Snapshot& snapshot, const detail::Check& check, std::uint32_t max, std::vector<Violation>& out) {
    std::vector<q::Row> rows;
    const bool more = snapshot.fetch(check.query, max, rows);
    for (q::Row& r : rows) {
        const detail::CheckRow row{.tenant_id = std::move(r.tenant_id),
                                   .subject_id = std::move(r.subject_id),
                                   .related_id = std::move(r.related_id),
                                   .field = r.field ? std::move(*r.field) : std::string(check.field),
                                   .note_a = std::move(r.note_a),
                                   .note_b = std::move(r.note_b),
                                   .expected = r.expected,
                                   .actual = r.actual};
        out.push_back(Violation{.code = check.code,
                                .tenant_id = row.tenant_id,
                                .subject = check.subject,
                                .subject_id = row.subject_id,
                                .related_id = row.related_id,
                                .field = row.field,
                                .expected = row.expected,
                                .actual = row.actual,
                                .message = check.describe(check, row)});
    }
    return more;
}

}  // namespace

std::string_view to_string(Subject subject) {
    switch (subject) {
        case Subject::tenant: return "tenant";
        case Subject::account: return "account";
        case Subject::transfer: return "transfer";
        case Subject::order: return "order";
    }
    return "?";
}

Result<AuditReport> run_audit(storage::Database& db, const AuditOptions& options) {
    const char* current = "counts";
    auto result = db.read([&](soci::session& sql) -> Result<AuditReport> {
        AuditReport report;
        try {
            q::Snapshot snapshot(sql, db.dialect().backend);
            const q::Counts counts = snapshot.counts();
            report.checked.tenants = counts.tenants;
            report.checked.accounts = counts.accounts;
            report.checked.transfers = counts.transfers;
            report.checked.orders = counts.orders;
            for (const detail::Check& check : detail::checks()) {
                current = check.code;
                const bool cut = run_check(snapshot, check, options.violations_per_check_max, report.violations);
                if (cut &&
                    std::find(report.truncated.begin(), report.truncated.end(), check.code) == report.truncated.end()) {
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
