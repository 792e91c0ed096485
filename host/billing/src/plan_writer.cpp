#include "plan_writer.hpp"

#include <iterator>

#include "billing/storage/events.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/storage/orders.hpp"
#include "billing/storage/timers.hpp"

namespace billing::plan_writer {

Result<Unit> write(soci::session& sql, const write_plan::Plan& plan) {
    const OrderRecord& order = plan.order.order;
    if (plan.order.expected_version == 0) {
        orders::insert(sql, order);
        for (const timers::TimerRow& timer : plan.add_timers) timers::insert(sql, timer);
    } else {
        // The optimistic check: a concurrent writer that changed the row makes this a conflict.
        if (auto updated = orders::update(sql, order, plan.order.expected_version); !updated) return updated.error();
        for (const std::string& name : plan.drop_timers) timers::drop(sql, order.id, name);
        for (const timers::TimerRow& timer : plan.add_timers) timers::upsert(sql, timer);
    }
    events::append(sql, plan.event);
    // The money last. An empty purse fails here and rolls the order back with it.
    for (const ledger::Transfer& transfer : plan.transfers) {
        if (auto posted = ledger::post(sql, transfer); !posted) return posted.error();
    }
    return Unit{};
}

void Batch::reserve(std::size_t plans) {
    orders_.reserve(plans);
    events_.reserve(plans);
    transfers_.reserve(plans);
}

void Batch::add(write_plan::Plan&& plan) {
    const std::string& order_id = plan.order.order.id;
    for (std::string& name : plan.drop_timers) dropped_.emplace_back(order_id, std::move(name));
    added_.insert(added_.end(), std::make_move_iterator(plan.add_timers.begin()),
                  std::make_move_iterator(plan.add_timers.end()));
    events_.push_back(std::move(plan.event));
    transfers_.insert(transfers_.end(), std::make_move_iterator(plan.transfers.begin()),
                      std::make_move_iterator(plan.transfers.end()));
    orders_.push_back(std::move(plan.order));
}

Result<Unit> Batch::write(soci::session& sql, const std::string& lock_suffix) const {
    if (auto updated = orders::update_all(sql, orders_); !updated) return updated.error();
    timers::drop_all(sql, dropped_);
    for (const timers::TimerRow& timer : added_) timers::upsert(sql, timer);
    events::append_all(sql, events_);
    return ledger::post_all(sql, transfers_, lock_suffix);
}

}  // namespace billing::plan_writer
