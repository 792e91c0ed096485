// The data set of billing_report_bench: N closed OTPDesk activations of one tenant, their close
// times spread evenly over 60 days, over 20 countries and 30 services with known delivery rates.
//
// Three real orders are made through the engine first (one delivered and completed, one
// expired, one cancelled), and every row is a copy of one of them with its id, times, country
// and service changed, so that the rows are exactly what the host writes (attributes text,
// terms, states, outcomes). Only the orders table is filled: the report reads nothing else, so
// the copies have no transfers, timers or events (the ledger audit is not run on this file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "bench_env.hpp"

namespace billing::bench {

inline constexpr std::int64_t report_day_ms = 24LL * 3600 * 1000;
inline constexpr std::size_t report_countries = 20;
inline constexpr std::size_t report_services = 30;

struct ReportSeed {
    UtcMs first_closed_ms = 0;  // the copies close in [first_closed_ms, first_closed_ms + 60 days)
    std::size_t orders = 0;
    // What the report must answer, counted while the rows were written: per key, for the last
    // 30 days and for all 60.
    struct Counts {
        std::int64_t orders = 0, delivered = 0;
    };
    std::map<std::string, Counts> country_30d, service_30d, country_all, service_all;
    std::int64_t rows_30d = 0;
    double seconds = 0;  // the set-up's time
};

// Fills bench's tenant with `orders` closed activations (in transactions of 50,000 rows).
ReportSeed seed_report_orders(BenchDb& bench, std::size_t orders);

}  // namespace billing::bench
