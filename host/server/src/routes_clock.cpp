// Test clocks (DESIGN §6): a test-mode tenant's time starts at its creation and moves only
// when advanced; advancing runs the tenant's due timers in due order, each at its due time. A
// reset sets it back to the system clock's now, the way back from a clock moved too far.
#include "api_call.hpp"
#include "billing/http/json_writer.hpp"
#include "billing/http/rfc3339.hpp"
#include "billing/storage/engine_errors.hpp"

namespace billing::server::routes {

namespace {

const char* run_name(TimerRun run) {
    switch (run) {
        case TimerRun::applied: return "applied";
        case TimerRun::denied: return "denied";
        case TimerRun::lost: return "lost";
        case TimerRun::failed: return "failed";
        case TimerRun::parked: return "parked";
    }
    return "unknown";
}

constexpr std::int64_t seconds_max = 366LL * 24 * 3600;

}  // namespace

ApiResponse get_test_clock(Call& call) {
    if (!call.tenant->test_mode) {
        return api::error(call, Error{engine_error::test_clock_unavailable, "a live tenant runs on the system clock"});
    }
    auto now = api::tenant_now(call);
    if (!now) return api::error(call, now.error());
    http::JsonWriter w;
    w.begin_object().key("object").string("test_clock");
    w.key("now").string(http::format_rfc3339_utc(now.value()));
    w.end_object();
    return api::json(200, w.take());
}

ApiResponse reset_test_clock(Call& call) {
    auto reset = call.s.engine.reset_test_clock(call.tenant->id);
    if (!reset) return api::error(call, reset.error());
    http::JsonWriter w;
    w.begin_object().key("object").string("test_clock");
    w.key("now").string(http::format_rfc3339_utc(reset.value().clock_ms));
    w.end_object();
    return api::json(200, w.take());
}

ApiResponse advance_test_clock(Call& call) {
    auto body = api::body_object(call, {"seconds", "to"});
    if (!body) return api::error(call, body.error());
    auto seconds = body.value().optional_integer("seconds", {0, seconds_max});
    if (!seconds) return api::error(call, seconds.error());
    auto to_text = body.value().optional_string("to", {20, 30});
    if (!to_text) return api::error(call, to_text.error());
    if (seconds.value().has_value() == to_text.value().has_value()) {
        return api::error(call, Error{std::string(http::problem_code::validation_failed),
                                      "give exactly one of seconds (0 to 31622400) and to (an RFC 3339 UTC time)"});
    }
    auto before = api::tenant_now(call);
    if (!before) return api::error(call, before.error());

    Result<TenantRecord> advanced = Error{};
    if (seconds.value()) {
        advanced = call.s.engine.advance_test_clock_by(call.tenant->id, *seconds.value() * 1000);
    } else {
        const auto to_ms = http::parse_rfc3339_utc(*to_text.value());
        if (!to_ms) {
            return api::error(call, Error{std::string(http::problem_code::validation_failed),
                                          "to: not an RFC 3339 UTC time such as 2026-01-02T03:04:05.000Z"});
        }
        advanced = call.s.engine.advance_test_clock_to(call.tenant->id, *to_ms);
    }
    if (!advanced) return api::error(call, advanced.error());
    const UtcMs now_ms = advanced.value().clock_ms;

    http::JsonWriter timers;
    timers.begin_array();
    const SweepStats stats = call.s.sweeper.run_due_for_tenant(
        call.tenant->id, now_ms,
        [&](const timers::TimerRow& timer, const TimerOutcome& outcome) {
            timers.begin_object();
            timers.key("order_id").string(timer.order_id);
            timers.key("timer").string(timer.name);
            timers.key("due_at").string(http::format_rfc3339_utc(timer.due_at_ms));
            timers.key("result").string(run_name(outcome.run));
            if (outcome.applied) {
                timers.key("code").string(outcome.applied->code);
                timers.key("state").string(outcome.applied->order.state);
            }
            timers.end_object();
        },
        call.options.timer_lease_s);
    timers.end_array();
    // The database failed under the run (not a timer's own failure, which is counted, retried and
    // in the end parked): the clock has moved, its due timers have not all run. Advancing by 0
    // seconds runs them.
    if (stats.failed > 0 && stats.last_error.code.rfind("storage_", 0) == 0) {
        return api::error(call, stats.last_error);
    }

    http::JsonWriter w;
    w.begin_object().key("object").string("test_clock");
    w.key("previous").string(http::format_rfc3339_utc(before.value()));
    w.key("now").string(http::format_rfc3339_utc(now_ms));
    w.key("applied").integer(static_cast<std::int64_t>(stats.applied));
    w.key("denied").integer(static_cast<std::int64_t>(stats.denied));
    w.key("failed").integer(static_cast<std::int64_t>(stats.failed + stats.parked));
    w.key("lost").integer(static_cast<std::int64_t>(stats.lost));
    w.key("timers").raw(timers.str());
    w.end_object();
    return api::json(200, w.take());
}

}  // namespace billing::server::routes
