// The audit's checks: one SQL query each, over the whole database, that returns only the rows
// violating one invariant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "billing/audit/audit.hpp"

namespace billing::audit::detail {

// The row every check selects, in this column order (NULL where a column does not apply):
//   tenant_id, subject_id, related_id, field, note_a, note_b, expected, actual
// field is NULL when the check's own field applies (all but checks that compare several columns).
// Every check has the same shape so that one fetch loop serves all of them.
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
    // Portable SQL (SQLite, PostgreSQL, MySQL): no ORDER BY and no LIMIT, the runner adds them.
    std::string sql;
    std::string (*describe)(const Check& check, const CheckRow& row);
};

// Every check, in the order the report lists them.
const std::vector<Check>& checks();

}  // namespace billing::audit::detail
