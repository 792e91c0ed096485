#include "billing/storage/dialect.hpp"

#include <stdexcept>

namespace billing::storage {

namespace {

Dialect make_sqlite() {
    Dialect d{Backend::sqlite3,
              "BEGIN IMMEDIATE",
              "",
              // Deferred: the first SELECT takes the WAL read snapshot, held until the end. No
              // write lock is taken, so the engine keeps writing while the audit runs.
              {"BEGIN"}};
    d.anonymous_placeholders = true;
    d.writes_row_by_row = true;
    d.one_writer_at_a_time = true;
    d.statements_need_reset = true;
    return d;
}

Dialect make_postgresql() {
    Dialect d{Backend::postgresql,
              "BEGIN ISOLATION LEVEL READ COMMITTED",
              " FOR UPDATE",
              {"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"}};
    d.rows_as_arrays = true;
    d.update_repeats_keys = true;
    d.commit_without_flush = "SET LOCAL synchronous_commit TO OFF";
    return d;
}

Dialect make_mysql() {
    Dialect d{
        Backend::mysql,
        "START TRANSACTION",
        " FOR UPDATE",
        {"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"}};
    d.values_in_text = true;
    d.rows_as_union_select = true;
    d.update_join = true;
    return d;
}

}  // namespace

std::string Dialect::json_text(const std::string& column, const std::string& name) const {
    switch (backend) {
        case Backend::sqlite3: return "json_extract(" + column + ", '$.\"" + name + "\"')";
        case Backend::postgresql: return "(" + column + "::json ->> '" + name + "')";
        case Backend::mysql: return "JSON_UNQUOTE(JSON_EXTRACT(" + column + ", '$.\"" + name + "\"'))";
    }
    throw std::logic_error("a backend without a JSON extraction");
}

const Dialect& Dialect::of(Backend backend) {
    static const Dialect sqlite = make_sqlite(), postgresql = make_postgresql(), mysql = make_mysql();
    switch (backend) {
        case Backend::sqlite3: return sqlite;
        case Backend::postgresql: return postgresql;
        case Backend::mysql: return mysql;
    }
    throw std::logic_error("a backend without a dialect");
}

const Dialect& Dialect::of(const soci::session& sql) {
    const std::string name = sql.get_backend_name();
    if (name == "sqlite3") return of(Backend::sqlite3);
    if (name == "postgresql") return of(Backend::postgresql);
    if (name == "mysql") return of(Backend::mysql);
    throw std::logic_error("a session of the unknown backend " + name);
}

}  // namespace billing::storage
