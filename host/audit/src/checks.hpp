// The audit's checks: one storage query each (billing/storage/audit_queries.hpp), over the whole
// database, that returns only the rows violating one invariant; the check names and describes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "billing/audit/audit.hpp"
#include "billing/storage/audit_queries.hpp"

namespace billing::audit::detail {

// A query's row (audit_queries::Row) with the field resolved: the row's own where the query
// compares several columns, the check's otherwise.
struct CheckRow {
    std::string tenant_id;
    std::string subject_id;
    std::string related_id;
    std::string field;
    std::string note_a;  // a free text the message uses: a kind, another tenant's id
    std::string note_b;
    std::optional<std::int64_t> expected;
    std::optional<std::int64_t> actual;
};

struct Check {
    const char* code;
    Subject subject;
    std::string field;  // what the check compares, unless the row names it
    audit_queries::Query query;
    std::string (*describe)(const Check& check, const CheckRow& row);
};

// Every check, in the order the report lists them.
const std::vector<Check>& checks();

}  // namespace billing::audit::detail
