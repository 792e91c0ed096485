// Where the SQL and the behaviour of the backends differ, in one place. Shared code asks the
// dialect instead of spelling a backend's syntax or testing a backend's name.
#pragma once

#include <soci/soci.h>

#include <string>
#include <vector>

#include "billing/config/host_config.hpp"

namespace billing::storage {

using Backend = config::DatabaseBackend;

struct Dialect {
    Backend backend;
    std::string begin_write;  // opens a writer transaction
    std::string lock_rows;    // appended to a SELECT that must lock its rows ("" on SQLite)
    // Open a read-only transaction in which every query sees one snapshot (the audit).
    std::vector<std::string> begin_snapshot;

    // How the multi-row statements (bulk_sql) carry their values and rows:
    // MySQL: texts as hexadecimal literals in the statement, sent to the server past SOCI, whose
    // MySQL backend binds on the client by scanning every character for placeholders.
    bool values_in_text = false;
    // SQLite: anonymous "?" placeholders, since it searches its named ones linearly.
    bool anonymous_placeholders = false;
    // PostgreSQL: a set of rows as one array per column (unnest), a list as "= ANY(array)".
    bool rows_as_arrays = false;
    // MySQL: the rows an UPDATE reads as a derived table of SELECT ... UNION ALL (the columns
    // every row shares written once), not as VALUES.
    bool rows_as_union_select = false;
    // MySQL: UPDATE t JOIN rows ON ... SET t.column = ...; the others: UPDATE ... SET ... FROM rows.
    bool update_join = false;
    // PostgreSQL: an UPDATE from rows repeats their keys as an index condition on the table, or
    // it hashes the whole table.
    bool update_repeats_keys = false;
    // SQLite: many rows are written faster one by one, re-running one cached prepared statement.
    bool writes_row_by_row = false;
    // SQLite: one writer at a time, so this process's writers queue for their turn (Database::WriterTurn).
    bool one_writer_at_a_time = false;
    // SQLite: a statement stepped part-way keeps its read snapshot and table locks until reset,
    // so cached statements are reset before a transaction ends.
    bool statements_need_reset = false;
    // Run first in a writer transaction whose writes may be lost in a crash of the database
    // server (a timer's lease: lost, it is as if it had ended), so that its COMMIT need not wait
    // for the log flush; "" where the backend has no such setting for one transaction.
    // PostgreSQL only: SQLite's synchronous is per connection, and InnoDB's flush at commit is global.
    std::string commit_without_flush{};

    // The text of the JSON object column's member name, or NULL without it; name must be a
    // plain name (a-z, 0-9, '_'), since it is written into the statement.
    [[nodiscard]] std::string json_text(const std::string& column, const std::string& name) const;

    static const Dialect& of(Backend backend);
    // The dialect of a session's backend, by the name SOCI gives it.
    static const Dialect& of(const soci::session& sql);
};

}  // namespace billing::storage
