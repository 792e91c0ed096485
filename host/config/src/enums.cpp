#include <billing/config/enums.hpp>

namespace billing::config {

// Every switch lists all enumerators and has no default, so -Wswitch flags a new one here.

std::string_view to_string(DatabaseBackend backend) {
    switch (backend) {
        case DatabaseBackend::sqlite3: return "sqlite3";
        case DatabaseBackend::postgresql: return "postgresql";
        case DatabaseBackend::mysql: return "mysql";
    }
    return "?";
}

std::string_view to_string(SqliteSynchronous level) {
    switch (level) {
        case SqliteSynchronous::off: return "off";
        case SqliteSynchronous::normal: return "normal";
        case SqliteSynchronous::full: return "full";
        case SqliteSynchronous::extra: return "extra";
    }
    return "?";
}

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::fatal: return "fatal";
        case LogLevel::critical: return "critical";
        case LogLevel::error: return "error";
        case LogLevel::warning: return "warning";
        case LogLevel::notice: return "notice";
        case LogLevel::information: return "information";
        case LogLevel::debug: return "debug";
        case LogLevel::trace: return "trace";
    }
    return "?";
}

std::string_view to_string(LogFormat format) {
    switch (format) {
        case LogFormat::json: return "json";
        case LogFormat::text: return "text";
    }
    return "?";
}

}  // namespace billing::config
