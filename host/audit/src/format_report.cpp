#include <map>

#include "billing/audit/audit.hpp"

namespace billing::audit {

namespace {

std::string format_violation(const Violation& v) {
    std::string line = v.code + " tenant=" + v.tenant_id;
    if (v.subject != Subject::tenant) {
        line += " " + std::string(to_string(v.subject)) + "=" + v.subject_id;
    }
    if (!v.related_id.empty()) {
        line += " related=" + v.related_id;
    }
    if (!v.field.empty()) {
        line += " field=" + v.field;
    }
    if (v.expected) {
        line += " expected=" + std::to_string(*v.expected);
    }
    if (v.actual) {
        line += " actual=" + std::to_string(*v.actual);
    }
    return line + ": " + v.message + "\n";
}

}  // namespace

std::string format_report(const AuditReport& report) {
    std::string out;
    // Counted per code in code order, so that the summary reads the same on every run.
    std::map<std::string, std::size_t> per_code;
    for (const Violation& v : report.violations) {
        out += format_violation(v);
        ++per_code[v.code];
    }
    const AuditCounts& c = report.checked;
    out += report.ok() ? "audit ok: 0 violations"
                       : "audit FAILED: " + std::to_string(report.violations.size()) +
                             (report.violations.size() == 1 ? " violation" : " violations");
    if (!per_code.empty()) {
        out += " (";
        bool first = true;
        for (const auto& [code, count] : per_code) {
            out += (first ? "" : ", ") + code + " " + std::to_string(count);
            first = false;
        }
        out += ")";
    }
    out += " in " + std::to_string(c.tenants) + " tenants, " + std::to_string(c.accounts) + " accounts, " +
           std::to_string(c.transfers) + " transfers, " + std::to_string(c.orders) + " orders";
    if (!report.truncated.empty()) {
        out += "; lists cut short, more found for:";
        for (const std::string& code : report.truncated) {
            out += " " + code;
        }
    }
    return out + "\n";
}

}  // namespace billing::audit
