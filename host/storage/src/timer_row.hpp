// The timers table's one list of columns (row_schema.hpp). TimerKeyColumns are the columns a
// sweeper selects and a claim or a removal matches whole (timers.hpp); TimerColumns adds the
// lease and the failed attempts. Every statement on timers is spelled and bound from them.
#pragma once

#include <soci/soci.h>

#include <string>

#include "billing/storage/timers.hpp"
#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing::storage {

struct TimerKeyColumns {
    timers::TimerRow t;
    long long due_at_ms = 0;

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        constexpr auto once = row_schema::Written::on_insert;
        visit(Column{"order_id", once}, t.order_id);  // (order_id, name) is the primary key
        visit(Column{"name", once}, t.name);
        visit(Column{"tenant_id"}, t.tenant_id);
        visit(Column{"due_at_ms"}, due_at_ms);
    }

    void assign(const timers::TimerRow& timer) {
        t = timer;
        due_at_ms = sql_util::to_db(timer.due_at_ms);
    }
    [[nodiscard]] timers::TimerRow record() const {
        timers::TimerRow out = t;
        out.due_at_ms = sql_util::from_db(due_at_ms);
        return out;
    }
};

// The key and the lease: what a sweeper reads to tell whether a timer is claimable
// (timers::lock_claimable).
struct TimerLeaseColumns {
    TimerKeyColumns key;
    std::string lease_owner;  // NULL: never claimed (or moved since)
    long long lease_until_ms = 0;
    soci::indicator owner_ind = soci::i_null;

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        key.columns(visit);
        visit(Column{"lease_owner"}, lease_owner, owner_ind);
        visit(Column{"lease_until_ms"}, lease_until_ms);
    }
    [[nodiscard]] bool parked() const { return owner_ind == soci::i_ok && lease_owner == timers::parked_owner; }
};

struct TimerColumns {
    TimerLeaseColumns lease;
    int attempts = 0;
    std::string last_error;  // NULL: no failed attempt
    soci::indicator error_ind = soci::i_null;

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        lease.columns(visit);
        visit(Column{"attempts"}, attempts);
        visit(Column{"last_error"}, last_error, error_ind);
    }

    // A fresh timer: unclaimed, with no failed attempts.
    void assign_fresh(const timers::TimerRow& timer) {
        lease.key.assign(timer);
        lease.lease_owner.clear();
        lease.owner_ind = soci::i_null;
        lease.lease_until_ms = 0;
        attempts = 0;
        last_error.clear();
        error_ind = soci::i_null;
    }
};

}  // namespace billing::storage
