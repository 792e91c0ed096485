// Every use of SOCI's internals, in one place: what the public API does not offer and storage
// needs. Each function relies on a detail of SOCI 4.0 (named beside it) that a new SOCI may
// change without notice, so the version is pinned (soci_adapter.cpp) and tests/storage's
// soci_adapter_test exercises each one; re-check them all before moving the pin.
#pragma once

#include <soci/soci.h>

#include <string>

// libmysqlclient's connection (MYSQL is a typedef of it), named here without its header.
struct st_mysql;

namespace billing::storage::soci_adapter {

// Prepares text on st, whose into/use elements are already exchanged, as a one-time query, and
// binds them: st is then ready to execute. A one-time query is not prepared on the server (on
// PostgreSQL a prepared statement costs two extra round trips), but unlike `session << text` its
// values are bound by position from a list built at run time.
// Relies on: soci::details::st_one_time_query and statement::alloc/prepare/define_and_bind.
void prepare_one_time(soci::statement& st, const std::string& text);

// Ends a SQLite statement's current execution (sqlite3_reset), so that it no longer holds its
// read snapshot or its table locks; no effect on a statement not yet prepared.
// Relies on: sqlite3_statement_backend::stmt_. Only for a statement of an SQLite session.
void reset_sqlite_statement(soci::statement& st) noexcept;

// The native connection of a MySQL session. Throws std::logic_error on another backend's session.
// Relies on: mysql_session_backend::conn_.
st_mysql* mysql_connection(soci::session& sql);

}  // namespace billing::storage::soci_adapter
