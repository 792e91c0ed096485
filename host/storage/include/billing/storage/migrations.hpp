// The schema, as an ordered list of versioned migrations. Applied at start-up and by
// `billing-host migrate`; each version is applied once, recorded in schema_migrations.
#pragma once

#include <cstdint>

#include "billing/storage/database.hpp"

namespace billing::storage {

// The newest schema version this build knows.
std::int64_t latest_schema_version();

// Applies every migration newer than the database's version, each in its own transaction.
// Returns the schema version now in force. A database newer than this build is refused
// (code "schema_too_new"): an old host must not write into a schema it does not know.
Result<std::int64_t> migrate(Database& db, std::int64_t now_ms);

}  // namespace billing::storage
