// The one place where backend errors are mapped to what the host does about them.
//
// A serialization failure or deadlock (PostgreSQL 40001/40P01, MySQL 1213/1205, SQLite BUSY/
// LOCKED) is a conflict: the transaction is retried. A lost connection is unavailable: the
// request fails with 503 and the pool reconnects. Anything else is a bug or bad data: 500.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "billing/core/result.hpp"

namespace billing::storage {

namespace storage_error {
inline constexpr const char* conflict = "storage_conflict";        // retry the transaction
inline constexpr const char* unavailable = "storage_unavailable";  // the database cannot be reached
inline constexpr const char* busy = "storage_busy";                // no session free in time
inline constexpr const char* constraint = "storage_constraint";    // a unique/check constraint refused a write
inline constexpr const char* failed = "storage_failed";            // anything else
}  // namespace storage_error

// Whether an error code is the database's passing trouble (a conflict, no free session, no
// connection) rather than a fault of the work: retrying the same work later can succeed.
[[nodiscard]] inline bool is_transient(std::string_view code) {
    return code == storage_error::conflict || code == storage_error::busy || code == storage_error::unavailable;
}

// Thrown by Database::Lease when no session becomes free within busy_timeout_ms.
struct StorageBusy : std::exception {
    const char* what() const noexcept override { return "no database session free in time"; }
};

// Thrown when a lost connection cannot be opened again (the server is still away): whatever
// the driver said, that is unavailable, not a fault of the work.
struct StorageUnavailable : std::exception {
    explicit StorageUnavailable(std::string why) : message("cannot reach the database: " + std::move(why)) {}
    const char* what() const noexcept override { return message.c_str(); }
    std::string message;
};

// Maps the exception being handled (call only inside a catch block) to an Error with one of
// the codes above and the backend's message.
Error describe_current_storage_failure();

}  // namespace billing::storage
