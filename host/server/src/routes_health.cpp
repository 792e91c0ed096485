// Public routes: health, metrics, the OpenAPI document.
#include "api_call.hpp"
#include "billing/http/metrics.hpp"
#include "billing/storage/health.hpp"
#include "billing/storage/timers.hpp"

namespace billing::server::routes {

ApiResponse livez(Call&) { return api::json(200, R"({"status":"live"})"); }

// Ready when not shutting down (the pipeline puts that in the call) and the database answers.
ApiResponse readyz(Call& call) {
    if (call.draining) {
        return api::problem(call, http::make_problem(http::problem_code::shutting_down, "the host is shutting down"));
    }
    auto ping = call.s.db.read([](soci::session& sql) -> Result<Unit> {
        health::ping(sql);
        return Unit{};
    });
    if (!ping) return api::error(call, ping.error());
    return api::json(200, R"({"status":"ready"})");
}

ApiResponse metrics(Call& call) {
    // The timer lag is read at scrape time: how late the earliest due timer of a live tenant is.
    // Parked timers are left out: they wait for an operator on purpose (Engine::parked_timers).
    auto earliest = call.s.db.read(
        [](soci::session& sql) -> Result<std::optional<UtcMs>> { return timers::earliest_live_due(sql); });
    if (earliest) {
        const UtcMs now = call.s.clock.now_ms();
        const auto& due = earliest.value();
        const double lag = due && *due < now ? static_cast<double>(now - *due) / 1000.0 : 0.0;
        call.s.metrics.timer_lag_seconds.set({}, lag);
    }
    const storage::Database::WriteStats writes = call.s.db.write_stats();
    call.s.metrics.db_write_batches.raise_to({}, writes.batches);
    call.s.metrics.db_batched_writes.raise_to({}, writes.batched_writes);
    call.s.metrics.db_write_batches_failed.raise_to({}, writes.batches_failed);
    call.s.metrics.db_writes_alone.raise_to({}, writes.writes_alone);
    ApiResponse r = api::json(200, call.s.metrics_registry.render());
    r.content_type = std::string(http::metrics_content_type);
    return r;
}

ApiResponse openapi(Call&) { return api::json(200, Api::openapi_document()); }

}  // namespace billing::server::routes
