// One statement for many rows (the sweeper's set-based batch), so that a batch of orders costs
// one round trip per kind of write instead of one per row: IN lists, multi-row INSERTs, and
// UPDATEs joined to a derived table of the new values.
//
// Every value a caller did not compute itself is a bound parameter or, on MySQL, a hexadecimal
// literal, never spliced into the text as it is. How the rows travel differs per backend,
// because the costs do:
// - SQLite (in process): multi-row VALUES with one placeholder per value; the order updates, the
//   events and the transfers are written row by row there instead (row_by_row).
// - PostgreSQL: one array parameter per column, unnested on the server. A placeholder per value
//   cost the server 30-40 ms per 500 rows to parse and bind (a 500-row VALUES list), an array
//   per column well under one.
// - MySQL/MariaDB: multi-row VALUES, and a UNION ALL of SELECTs for a derived table (MariaDB
//   names a VALUES table's columns by its first row's values), in which a column with the same
//   value in every row is written once (Rows::constant_columns). SOCI's MySQL backend has no
//   server-side binding (it escapes each value into the text on the client), so texts are
//   written as hexadecimal literals of the connection's character set (utf8mb4, set on
//   connect): as safe, and far cheaper than SOCI's escaping. The statements then go to the
//   server past SOCI (storage::mysql_text), which would scan their every character for
//   placeholders, and rows come back as text read here (SOCI converts each number through a
//   std::istringstream).
// Our own integers are written as literals. Elsewhere statements run as SOCI one-time queries: a
// prepared statement on PostgreSQL costs two extra round trips (prepare, deallocate), and a text
// built per batch is rarely seen twice. Callers cut their rows into chunks of bulk_rows_max, which
// keeps SQLite's placeholders far below its limit (32766).
#pragma once

#include <soci/soci.h>

#include "billing/storage/dialect.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace billing::storage::mysql_text {
class Row;
}  // namespace billing::storage::mysql_text

namespace billing::bulk_sql {

inline constexpr std::size_t bulk_rows_max = 500;

// True where many rows are written faster one by one, with one cached prepared statement re-run
// per row: SQLite, which runs in process (no round trip to save) and plans each multi-row
// statement afresh (refund sweep on SQLite: the order UPDATE and the event INSERT one by one
// took the sweep from about 0.5 to 0.6 of its per-row floor). The servers take multi-row
// statements.
bool row_by_row(soci::session& sql);

// The variables a selected row is read into, one per column, in the select's column order. A
// column that may be NULL needs an indicator (i_null or i_ok after each row).
class Into {
public:
    Into& text(std::string& variable);
    Into& text(std::string& variable, soci::indicator& indicator);
    Into& number(long long& variable);  // BIGINT
    Into& number(long long& variable, soci::indicator& indicator);
    Into& number(int& variable);  // SMALLINT

private:
    friend class Statement;
    enum class Kind { text, big, small };
    struct Target {
        Kind kind;
        void* variable;
        soci::indicator* indicator;  // nullptr: NULL is refused
    };
    Into& add(Kind kind, void* variable, soci::indicator* indicator);
    // Binds the variables to a SOCI statement's columns.
    void bind(soci::statement& st) const;
    // Fills the variables from a row read past SOCI (MySQL).
    void fill(const storage::mysql_text::Row& row) const;
    std::vector<Target> targets_;
};

class Statement {
public:
    explicit Statement(soci::session& sql);
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Makes room for a text of about this many bytes at once (a 500-row statement otherwise
    // grows and copies itself a dozen times).
    void reserve(std::size_t bytes);
    // Appends SQL text as is.
    Statement& operator<<(std::string_view text);
    // Appends a placeholder bound to the value (MySQL: the value as a hexadecimal literal).
    Statement& text(const std::string& value);
    // Appends the number as a literal: it is our own integer.
    Statement& number(long long value);
    // ", " before every item but the first of a list (the caller counts).
    Statement& comma_unless_first(std::size_t index);
    // "column IN (:p1, :p2, ...)" for values[begin, end); on PostgreSQL "column = ANY(:array)".
    Statement& in_list(const std::string& column, const std::vector<std::string>& values, std::size_t begin,
                       std::size_t end);

    // Runs a write to completion; returns the rows it changed.
    long long run();
    // Runs a read: on_row is called once per row, with into's variables filled from it.
    void select(const Into& into, const std::function<void()>& on_row);

    [[nodiscard]] const storage::Dialect& dialect() const noexcept { return dialect_; }

private:
    soci::session& sql_;
    const storage::Dialect& dialect_;
    std::string text_;
    // A deque: SOCI keeps references to the bound values, so they must never move.
    std::deque<std::string> texts_;
};

// Rows of named columns, collected first and written by insert_rows or update_from_rows in the
// backend's way. Each row gives its values in column order; a column is a number or a text
// column by the first row's call.
class Rows {
public:
    explicit Rows(std::vector<std::string> columns);

    class Row {
    public:
        Row& text(const std::string& value);
        Row& number(long long value);
        Row& number_or_null(const std::optional<long long>& value);
        Row& text_or_null(const std::optional<std::string>& value);

    private:
        friend class Rows;
        explicit Row(Rows& rows) : rows_(rows) {}
        Rows& rows_;
    };
    Row row();

    [[nodiscard]] const std::vector<std::string>& columns() const noexcept { return columns_; }
    [[nodiscard]] std::size_t size() const noexcept { return rows_; }
    // About the longest statement text the rows can take (MySQL's hexadecimal literals).
    [[nodiscard]] std::size_t text_bytes_max() const;
    // Appends the values of a text column to out.
    void column_texts(const std::string& column, std::vector<std::string>& out) const;

    struct Value {
        bool is_null = false;
        std::string text;  // a text value, or a number's digits
    };
    // Appends the rows to st as a derived table named alias with the columns' names.
    void write_derived(Statement& st, const std::string& alias) const;
    // Appends the rows as what follows "INSERT INTO table (columns) ".
    void write_insert_source(Statement& st) const;

private:
    void add(Value value, bool is_number);
    void check_complete() const;  // throws std::logic_error if the last row is short
    // One value as a literal (numbers, NULL) or a bound placeholder (texts).
    void write_value(Statement& st, std::size_t row, std::size_t column, const char* null_literal) const;
    void write_values_lists(Statement& st) const;
    // MySQL: per column, whether every row holds the same value (never with one row, never for
    // every column). In a derived table such a column is written once, as a literal, instead of
    // once per row: MariaDB spends its time on a 500-row UNION ALL parsing and preparing each
    // SELECT's values (the sweep's orders UPDATE: 14-16 ms with every value, 10-12 with the
    // batch's shared columns written once).
    [[nodiscard]] std::vector<bool> constant_columns() const;
    [[nodiscard]] const char* mysql_null(std::size_t column) const;
    // MySQL: "(SELECT ... UNION ALL SELECT ...) w" of the columns that are not constant.
    void write_mysql_varying(Statement& st, const std::vector<bool>& constant) const;
    // MySQL: SELECT every column, named (a constant's literal or w's column), FROM the varying ones.
    void write_mysql_select(Statement& st, const std::vector<bool>& constant) const;
    void write_unnest(Statement& st) const;

    std::vector<std::string> columns_;
    std::vector<bool> is_number_;  // per column, from the first row
    std::vector<Value> values_;    // row-major
    std::size_t rows_ = 0;
};

// INSERT INTO table (the rows' columns) the rows. Returns the rows inserted.
long long insert_rows(soci::session& sql, const std::string& table, const Rows& rows);

// One column an UPDATE sets, to an expression over `t` (the updated row) and `v` (its new values).
struct Assignment {
    std::string column;
    std::string expression;
};
// col = v.col for each column.
std::vector<Assignment> copied(const std::vector<std::string>& columns);

// UPDATE table t SET ... from the rows (as derived table v) where match (over t and v) holds, in
// the backend's spelling (MySQL: UPDATE table t JOIN ... ON match SET ...). key_column names the
// table's primary key, which match equates with v's column of the same name. Returns the rows
// changed.
long long update_from_rows(soci::session& sql, const std::string& table, const Rows& rows,
                           const std::vector<Assignment>& sets, const std::string& match,
                           const std::string& key_column);

// The rows [begin, begin + bulk_rows_max) of n, one call per chunk.
void for_each_chunk(std::size_t n, const std::function<void(std::size_t begin, std::size_t end)>& chunk);

// values as a PostgreSQL array literal ({"a","b",NULL}), each element quoted and its quotes and
// backslashes escaped, as array_in reads it; numbers are written unquoted.
std::string postgresql_array(const std::vector<const Rows::Value*>& values, bool numbers);

}  // namespace billing::bulk_sql
