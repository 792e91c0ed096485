// The raw floors of the auto-refund figure: the writes the engine makes when an activation's
// expiry timer refunds it (delete the timer, update the order, escrow -> customer transfer
// with both balances, event record), done by hand in one transaction per batch, opened with the
// backend's writer BEGIN as the engine's are (storage::Dialect::begin_write).
#pragma once

#include <cstddef>

#include "bench_env.hpp"
#include "due_orders.hpp"
#include "order_shape.hpp"

namespace billing::bench {

// Each refunds up to rows_max of the due orders, earliest first, in transactions of batch rows;
// returns the rows refunded (fewer only when none is left).
//
// Per row: one prepared statement per write, re-executed for every row of the batch.
std::size_t refund_per_row(BenchDb& bench, const DueOrders& due, const EventShape& refund, std::size_t batch,
                           std::size_t rows_max);

// Set-based: the batch goes into a temp table, then one statement per write for all its rows
// (joined per backend: UPDATE ... FROM on SQLite and PostgreSQL, multi-table UPDATE on MySQL).
std::size_t refund_set_based(BenchDb& bench, const DueOrders& due, const EventShape& refund, std::size_t batch,
                             std::size_t rows_max);

}  // namespace billing::bench
