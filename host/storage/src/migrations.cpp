#include "billing/storage/migrations.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace billing::storage {

namespace {

struct Migration {
    std::int64_t version;
    const char* description;
    const char* statements;  // separated by ';' at the end of a line
};

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list = {
        {
            1,
            "ledger, orders, timers, events, idempotency",
#include "schema_v1.sql.inc"
        },
        {
            2,
            "api keys",
#include "schema_v2.sql.inc"
        },
        {
            3,
            "support refunds, disputes, event request fields",
#include "schema_v3.sql.inc"
        },
    };
    return list;
}

std::vector<std::string> split_statements(const std::string& text) {
    std::vector<std::string> out;
    std::string current;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        current += line + "\n";
        if (!line.empty() && line.back() == ';') {
            current.pop_back();  // the newline
            current.pop_back();  // the ';'
            out.push_back(current);
            current.clear();
        }
    }
    if (current.find_first_not_of(" \n") != std::string::npos) {
        out.push_back(current);
    }
    return out;
}

// Schema changes run in transactions of their own, never in a group-commit batch: on MariaDB a
// DDL statement commits the transaction it runs in, which would commit the batch's other writes
// behind its back.
Result<std::int64_t> current_version(Database& db) {
    return db.write_alone([](soci::session& sql) -> Result<std::int64_t> {
        sql << "CREATE TABLE IF NOT EXISTS schema_migrations ("
               "version BIGINT NOT NULL PRIMARY KEY, description VARCHAR(200) NOT NULL, "
               "applied_at_ms BIGINT NOT NULL)";
        long long version = 0;
        soci::indicator ind = soci::i_null;
        sql << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
        return ind == soci::i_ok ? static_cast<std::int64_t>(version) : 0;
    });
}

}  // namespace

std::int64_t latest_schema_version() { return migrations().back().version; }

Result<std::int64_t> migrate(Database& db, std::int64_t now_ms) {
    auto version = current_version(db);
    if (!version) {
        return version.error();
    }
    if (version.value() > latest_schema_version()) {
        return Error{"schema_too_new", "the database has schema version " + std::to_string(version.value()) +
                                           ", this build knows up to " + std::to_string(latest_schema_version())};
    }
    for (const Migration& m : migrations()) {
        if (m.version <= version.value()) {
            continue;
        }
        auto applied = db.write_alone([&](soci::session& sql) -> Result<Unit> {
            for (const std::string& statement : split_statements(m.statements)) {
                sql << statement;
            }
            const long long v = m.version;
            const long long at = now_ms;
            const std::string description = m.description;
            sql << "INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (:v, :d, :a)",
                soci::use(v), soci::use(description), soci::use(at);
            return Unit{};
        });
        if (!applied) {
            return Error{applied.error().code, "migration " + std::to_string(m.version) + " (" + m.description +
                                                   ") failed: " + applied.error().message};
        }
        version = m.version;
    }
    return version.value();
}

}  // namespace billing::storage
