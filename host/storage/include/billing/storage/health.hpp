// Whether the database answers: the readiness probe's one statement.
#pragma once

#include <soci/soci.h>

namespace billing::health {

// Runs the cheapest statement there is; throws, like any statement, when the database is away.
inline void ping(soci::session& sql) {
    int one = 0;
    sql << "SELECT 1", soci::into(one);
}

}  // namespace billing::health
