// A MySQL/MariaDB statement's whole text sent as it is, past SOCI's statement machinery.
//
// For the sweeper's multi-row statements (billing's bulk_sql), whose values are already
// literals in the text: SOCI's MySQL backend has no server-side binding, so it scans every
// character of a statement for ":name" placeholders and copies it in pieces, which for a
// 500-row INSERT cost the client more than building the statement did.
//
// Errors are thrown as soci::mysql_soci_error with the server's error number, exactly as SOCI
// throws them, so that describe_current_storage_failure maps them in the one usual place.
#pragma once

#include <soci/soci.h>

#include <functional>
#include <string>
#include <string_view>

namespace billing::storage::mysql_text {

// Runs a statement that returns no rows on a MySQL session; returns the rows it changed.
long long execute(soci::session& sql, const std::string& text);

// One row of a query's result, as the server sent it: each value as text, or NULL.
class Row {
public:
    Row(char** values, const unsigned long* lengths, unsigned columns)
        : values_(values), lengths_(lengths), columns_(columns) {}
    [[nodiscard]] unsigned columns() const noexcept { return columns_; }
    [[nodiscard]] bool is_null(unsigned column) const noexcept { return values_[column] == nullptr; }
    [[nodiscard]] std::string_view text(unsigned column) const noexcept {
        return is_null(column) ? std::string_view() : std::string_view(values_[column], lengths_[column]);
    }

private:
    char** values_;
    const unsigned long* lengths_;
    unsigned columns_;
};

// Runs a query on a MySQL session and calls on_row once per row of its result, in order.
void query(soci::session& sql, const std::string& text, const std::function<void(const Row&)>& on_row);

}  // namespace billing::storage::mysql_text
