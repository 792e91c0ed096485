#include "billing/storage/errors.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <string_view>

namespace billing::storage {

namespace {

// SQLite primary result codes (sqlite3.h), masked out of extended codes.
constexpr int sqlite_busy = 5;
constexpr int sqlite_locked = 6;
constexpr int sqlite_ioerr = 10;
constexpr int sqlite_full = 13;
constexpr int sqlite_cantopen = 14;
constexpr int sqlite_constraint = 19;

const char* classify_sqlite(int result, std::string_view message) {
    switch (result & 0xFF) {
        case sqlite_busy:
        case sqlite_locked:
            // A COMMIT refused because a statement of ours is still running is SQLITE_BUSY too,
            // but it is a bug to fix, not a race to retry.
            if (message.find("statements in progress") != std::string_view::npos) {
                return storage_error::failed;
            }
            return storage_error::conflict;
        case sqlite_constraint: return storage_error::constraint;
        case sqlite_ioerr:
        case sqlite_full:
        case sqlite_cantopen: return storage_error::unavailable;
        default: return storage_error::failed;
    }
}

const char* classify_postgresql(const std::string& sqlstate) {
    // Serialization failure, deadlock, and lock_not_available (our own lock_timeout expired,
    // like SQLite's busy timeout and MySQL's 1205).
    // libpq gives no SQLSTATE for what happens on the client's side of a connection: the server
    // closed it (a restart, a fast shutdown), the socket broke. Found by the restart test.
    if (sqlstate.empty()) {
        return storage_error::unavailable;
    }
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
        return storage_error::conflict;
    }
    const std::string_view sql_class = std::string_view(sqlstate).substr(0, 2);
    if (sql_class == "23") {  // integrity constraint violation
        return storage_error::constraint;
    }
    if (sql_class == "08" || sql_class == "57" || sql_class == "53") {  // connection, shutdown, resources
        return storage_error::unavailable;
    }
    return storage_error::failed;
}

const char* classify_mysql(int number) {
    switch (number) {
        case 1213:  // ER_LOCK_DEADLOCK
        case 1205:  // ER_LOCK_WAIT_TIMEOUT
            return storage_error::conflict;
        case 1062:  // ER_DUP_ENTRY
        case 1452:  // ER_NO_REFERENCED_ROW_2
        case 4025:  // ER_CONSTRAINT_FAILED: a CHECK constraint, on MariaDB (found by the storage suite)
        case 3819:  // ER_CHECK_CONSTRAINT_VIOLATED: the same on MySQL 8
            return storage_error::constraint;
        case 2002:  // CR_CONNECTION_ERROR
        case 2003:  // CR_CONN_HOST_ERROR
        case 2006:  // CR_SERVER_GONE_ERROR
        case 2013:  // CR_SERVER_LOST
        case 1927:  // ER_CONNECTION_KILLED
            return storage_error::unavailable;
        default: return storage_error::failed;
    }
}

const char* classify_category(soci::soci_error::error_category category) {
    switch (category) {
        case soci::soci_error::connection_error: return storage_error::unavailable;
        case soci::soci_error::constraint_violation: return storage_error::constraint;
        default: return storage_error::failed;
    }
}

}  // namespace

Error describe_current_storage_failure() {
    try {
        throw;
    } catch (const StorageBusy& e) {
        return Error{storage_error::busy, e.what()};
    } catch (const StorageUnavailable& e) {
        return Error{storage_error::unavailable, e.what()};
    } catch (const soci::sqlite3_soci_error& e) {
        return Error{classify_sqlite(e.result(), e.what()), e.what()};
    } catch (const soci::postgresql_soci_error& e) {
        const char* code = classify_postgresql(e.sqlstate());
        if (code == storage_error::failed) {
            code = classify_category(e.get_error_category());
        }
        return Error{code, e.what()};
    } catch (const soci::mysql_soci_error& e) {
        return Error{classify_mysql(static_cast<int>(e.err_num_)), e.what()};
    } catch (const soci::soci_error& e) {
        return Error{classify_category(e.get_error_category()), e.what()};
    } catch (const std::exception& e) {
        return Error{storage_error::failed, e.what()};
    } catch (...) {
        return Error{storage_error::failed, "an exception that is not a std::exception"};
    }
}

}  // namespace billing::storage
