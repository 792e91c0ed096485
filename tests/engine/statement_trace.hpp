// Records the SQL that SQLite runs on every pooled session of a Database, with the bound values
// filled in: what a test needs to assert the ORDER in which a transaction touches rows (its lock
// order on PostgreSQL and MySQL), which no end state shows.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "billing/storage/database.hpp"

namespace billing::test {

class StatementTrace {
public:
    // Attaches to every session of db's pool; db must be idle (all sessions free) here and at
    // destruction, when it detaches.
    explicit StatementTrace(storage::Database& db);
    ~StatementTrace();
    StatementTrace(const StatementTrace&) = delete;
    StatementTrace& operator=(const StatementTrace&) = delete;

    [[nodiscard]] std::vector<std::string> statements() const;
    void clear();

private:
    void attach(bool on);
    void record(std::string statement);
    friend int on_statement_traced(unsigned, void*, void*, void*);

    storage::Database& db_;
    mutable std::mutex mutex_;
    std::vector<std::string> statements_;
};

// The index of the first statement containing needle, or -1.
int first_index_of(const std::vector<std::string>& statements, const std::string& needle);

}  // namespace billing::test
