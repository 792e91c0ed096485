// Fast set-up of N activations whose expiry timers are all due: one made by Engine::purchase
// as the template, the rest copied from its rows with direct SQL in big transactions (fresh ids,
// one millisecond apart, balances moved in the same transactions), so that the engine can
// process every one of them exactly as if it had sold them.
//
// The copies are bought by customers_count customers in turn, at the template's price times
// 1, 2, 3 or 4 in turn: a batch of due orders is many customers' at a few prices, as in a
// storefront, so that a batch's refunds differ in account, amount and decision text (a batch
// of identical rows would flatter the sweep's multi-row statements, which write a value shared
// by every row once).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bench_env.hpp"
#include "order_shape.hpp"

namespace billing::bench {

inline constexpr std::size_t customers_count = 64;
// Above any copy's price (the template's activation price times 4, checked).
inline constexpr MinorUnits price_max_minor = 1000;

struct DueOrders {
    std::string template_order_id;
    OrderShape shape;
    UtcMs all_due_ms = 0;  // a time at which every timer is due
    std::size_t count = 0;
    std::vector<std::string> customers;  // the template's customer first
};

// The customer of bench must hold at least n times price_max_minor.
DueOrders make_due_orders(BenchDb& bench, std::size_t n, std::size_t rows_per_transaction = 20'000);

}  // namespace billing::bench
