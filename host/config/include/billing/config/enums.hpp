// The closed sets of choices in the host configuration, and their names as written in TOML.
#pragma once

#include <string_view>

namespace billing::config {

// Where the data lives; picked by the scheme of database.url.
enum class DatabaseBackend { sqlite3, postgresql, mysql };

// SQLite's PRAGMA synchronous levels; only the sqlite3 backend reads it.
enum class SqliteSynchronous { off, normal, full, extra };

// The values match Poco::Message::Priority (PRIO_FATAL = 1 ... PRIO_TRACE = 8), so the app
// can hand a level to Poco with a static_cast and this library needs no Poco.
enum class LogLevel { fatal = 1, critical, error, warning, notice, information, debug, trace };

enum class LogFormat { json, text };

// The spelling used in the TOML file and in error messages.
[[nodiscard]] std::string_view to_string(DatabaseBackend backend);
[[nodiscard]] std::string_view to_string(SqliteSynchronous level);
[[nodiscard]] std::string_view to_string(LogLevel level);
[[nodiscard]] std::string_view to_string(LogFormat format);

}  // namespace billing::config
