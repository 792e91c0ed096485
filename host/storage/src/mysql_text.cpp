#include "billing/storage/mysql_text.hpp"

#include <soci/mysql/soci-mysql.h>

#include <memory>
#include <stdexcept>

#include "soci_adapter.hpp"

namespace billing::storage::mysql_text {

namespace {

[[noreturn]] void throw_last_error(MYSQL* conn) {
    throw soci::mysql_soci_error(mysql_error(conn), static_cast<int>(mysql_errno(conn)));
}

// Sends text on sql's connection; returns the connection.
MYSQL* run(soci::session& sql, const std::string& text) {
    MYSQL* conn = soci_adapter::mysql_connection(sql);
    if (mysql_real_query(conn, text.data(), text.size()) != 0) throw_last_error(conn);
    return conn;
}

}  // namespace

long long execute(soci::session& sql, const std::string& text) {
    MYSQL* conn = run(sql, text);
    // A statement that returns rows has no place here; its result is read and dropped, so that
    // the connection is ready for the next statement.
    if (MYSQL_RES* rows = mysql_store_result(conn); rows != nullptr) {
        mysql_free_result(rows);
        throw std::logic_error("mysql_text::execute ran a statement that returns rows");
    }
    if (mysql_field_count(conn) != 0) throw_last_error(conn);  // rows were due, but reading them failed
    return static_cast<long long>(mysql_affected_rows(conn));
}

void query(soci::session& sql, const std::string& text, const std::function<void(const Row&)>& on_row) {
    MYSQL* conn = run(sql, text);
    // The whole result at once (a batch is at most bulk_rows_max rows): the connection is free
    // again before on_row runs, whatever it throws.
    const std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> result(mysql_store_result(conn), &mysql_free_result);
    if (!result) {
        if (mysql_field_count(conn) == 0) throw std::logic_error("mysql_text::query ran a statement without rows");
        throw_last_error(conn);
    }
    const unsigned columns = mysql_num_fields(result.get());
    while (MYSQL_ROW values = mysql_fetch_row(result.get())) {
        on_row(Row(values, mysql_fetch_lengths(result.get()), columns));
    }
}

}  // namespace billing::storage::mysql_text
