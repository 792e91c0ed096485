// Small helpers for SOCI: BIGINT binds want long long, and int64_t is long on this platform.
#pragma once

#include <soci/soci.h>

#include <cstdint>

namespace billing::sql_util {

[[nodiscard]] inline long long to_db(std::int64_t value) { return static_cast<long long>(value); }
[[nodiscard]] inline std::int64_t from_db(long long value) { return static_cast<std::int64_t>(value); }

// Runs a prepared write to completion and returns how many rows it changed. The statement is
// finished here, so nothing is left "in progress" when the transaction commits (SQLite).
[[nodiscard]] inline long long run_counted(soci::statement& statement) {
    statement.execute(true);
    return statement.get_affected_rows();
}

}  // namespace billing::sql_util
