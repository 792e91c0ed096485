// Fast set-up of N activations whose expiry timers are all due: one made by Engine::purchase
// as the template, the rest copied from its rows with direct SQL in big transactions (fresh ids,
// one millisecond apart, balances moved in the same transactions), so that the engine can
// process every one of them exactly as if it had sold them.
#pragma once

#include <cstddef>

#include "bench_env.hpp"
#include "order_shape.hpp"

namespace billing::bench {

struct DueOrders {
    std::string template_order_id;
    OrderShape shape;
    UtcMs all_due_ms = 0;  // a time at which every timer is due
    std::size_t count = 0;
};

// The customer of bench must hold at least n times the activation price.
DueOrders make_due_orders(BenchDb& bench, std::size_t n, std::size_t rows_per_transaction = 20'000);

}  // namespace billing::bench
