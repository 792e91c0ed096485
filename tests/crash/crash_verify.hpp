// After the last driver has drained and exited: the database checked against everything the
// drivers acknowledged, the model their answers give (crash_model.hpp), the timer rules and the
// ledger audit. Failures are GoogleTest failures.
#pragma once

#include <filesystem>

#include "billing/core/clock.hpp"
#include "crash_model.hpp"
#include "crash_protocol.hpp"
#include "journal.hpp"

namespace billing::crash {

struct VerifyStats {
    long long orders = 0;
    long long transfers = 0;
    long long timer_events_before_drain = 0;  // timers the sweepers ran while drivers were being killed
    long long timer_events_in_drain = 0;
    long long lab_timer_events_before_drain = 0;   // run by advances of the lab tenant's clock
    long long live_auto_refunds_before_drain = 0;  // activations the live sweeper refunded at expiry
};

// Settles each abandoned operation by what its key holds: the stored answer if it landed.
void settle_abandoned(const std::filesystem::path& db_file, Journal& journal);

VerifyStats verify_database(const std::filesystem::path& db_file, const Journal& journal, const Model& model,
                            UtcMs drained_ms);

}  // namespace billing::crash
