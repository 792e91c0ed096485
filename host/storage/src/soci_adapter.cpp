#include "soci_adapter.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <soci/version.h>

#include <stdexcept>

// Debian 12's SOCI. The members and the statement steps used below are SOCI's internals, not its
// API: before moving this pin, re-check each function of this file against the new SOCI's
// sources and run tests/storage's soci_adapter_test on every backend.
static_assert(SOCI_VERSION / 100 == 4000, "SOCI is not 4.0.x: re-check soci_adapter.cpp before moving the pin");

namespace billing::storage::soci_adapter {

void prepare_one_time(soci::statement& st, const std::string& text) {
    st.alloc();
    st.prepare(text, soci::details::st_one_time_query);
    st.define_and_bind();
}

void reset_sqlite_statement(soci::statement& st) noexcept {
    // The backend's type is known from its session (SOCI does not export its typeinfo, so no
    // dynamic_cast): the caller only passes statements of SQLite sessions.
    auto* sqlite = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
    if (sqlite != nullptr && sqlite->stmt_ != nullptr) {
        sqlite_api::sqlite3_reset(sqlite->stmt_);
    }
}

st_mysql* mysql_connection(soci::session& sql) {
    // SOCI's documented way to its native handle (libsoci_mysql exports no typeinfo for a
    // dynamic_cast): the backend's name, then a static_cast.
    if (sql.get_backend_name() != "mysql") throw std::logic_error("mysql_text on a session that is not MySQL's");
    return static_cast<soci::mysql_session_backend*>(sql.get_backend())->conn_;
}

}  // namespace billing::storage::soci_adapter
