// After the last driver has drained and exited: the database checked against everything the
// drivers acknowledged, the timer rules and the ledger audit. Failures are GoogleTest failures.
#pragma once

#include <filesystem>

#include "billing/core/clock.hpp"
#include "crash_protocol.hpp"
#include "journal.hpp"

namespace billing::crash {

struct VerifyStats {
    long long orders = 0;
    long long transfers = 0;
    long long timer_events_before_drain = 0;  // timers the sweepers ran while drivers were being killed
    long long timer_events_in_drain = 0;
};

VerifyStats verify_database(const std::filesystem::path& db_file, const Journal& journal, UtcMs drained_ms);

}  // namespace billing::crash
