// Every integer key at both ends of its range: the boundary is accepted, one past it is refused
// with the key path and the allowed range, at the value's line:col.
#include "config_test_support.hpp"

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace billing::config::testing {
namespace {

struct RangeCase {
    std::string section;
    std::string key;
    std::string value;  // as written in TOML
    bool accepted;
    std::string range;  // "min..max", as the message must state it
    std::function<std::uint64_t(const HostConfig&)> field;
};

std::ostream& operator<<(std::ostream& out, const RangeCase& c) {
    return out << c.section << "." << c.key << " = " << c.value;
}

class ConfigRange : public ::testing::TestWithParam<RangeCase> {};

TEST_P(ConfigRange, BoundaryAcceptedOrRefused) {
    const RangeCase& c = GetParam();
    const std::string text = "[" + c.section + "]\n" + c.key + " = " + c.value + "\n";
    const Result<HostConfig> result = parse(text);
    if (c.accepted) {
        ASSERT_TRUE(result.ok()) << result.error().message;
        EXPECT_EQ(std::to_string(c.field(result.value())), c.value);
        return;
    }
    ASSERT_FALSE(result.ok());
    // The value starts after "key = " on line 2.
    const int column = static_cast<int>(c.key.size()) + 4;
    EXPECT_EQ(result.error().message,
              at(2, column) + c.section + "." + c.key + ": " + c.value + " is out of range; allowed " + c.range);
}

RangeCase ok(std::string section, std::string key, std::string value,
             std::function<std::uint64_t(const HostConfig&)> field) {
    return {std::move(section), std::move(key), std::move(value), true, "", std::move(field)};
}

RangeCase refused(std::string section, std::string key, std::string value, std::string range) {
    return {std::move(section), std::move(key), std::move(value), false, std::move(range), {}};
}

// Test names like "port_65536_refused", so that a failure names the case.
std::string case_name(const ::testing::TestParamInfo<RangeCase>& info) {
    std::string value;
    for (const char c : info.param.value) value += (c == '-') ? std::string("minus") : std::string(1, c);
    return info.param.key + "_" + value + (info.param.accepted ? "_accepted" : "_refused");
}

const auto port = [](const HostConfig& c) -> std::uint64_t { return c.server.port; };
const auto threads = [](const HostConfig& c) -> std::uint64_t { return c.server.threads_max; };
const auto queue = [](const HostConfig& c) -> std::uint64_t { return c.server.queue_max; };
const auto body = [](const HostConfig& c) -> std::uint64_t { return c.server.body_bytes_max; };
const auto keep_alive = [](const HostConfig& c) -> std::uint64_t { return c.server.keep_alive_timeout_s; };
const auto grace = [](const HostConfig& c) -> std::uint64_t { return c.server.shutdown_grace_s; };
const auto head_bytes = [](const HostConfig& c) -> std::uint64_t { return c.server.head_bytes_max; };
const auto fields = [](const HostConfig& c) -> std::uint64_t { return c.server.header_fields_max; };
const auto head_time = [](const HostConfig& c) -> std::uint64_t { return c.server.head_timeout_ms; };
const auto body_time = [](const HostConfig& c) -> std::uint64_t { return c.server.body_timeout_ms; };
const auto connections = [](const HostConfig& c) -> std::uint64_t { return c.server.connections_max; };
const auto per_client = [](const HostConfig& c) -> std::uint64_t { return c.server.connections_per_client_max; };
const auto pool = [](const HostConfig& c) -> std::uint64_t { return c.database.pool_size; };
const auto busy = [](const HostConfig& c) -> std::uint64_t { return c.database.busy_timeout_ms; };
const auto group_max = [](const HostConfig& c) -> std::uint64_t { return c.database.group_commit_max; };
const auto group_window = [](const HostConfig& c) -> std::uint64_t { return c.database.group_commit_window_us; };
const auto group_batches = [](const HostConfig& c) -> std::uint64_t { return c.database.group_commit_batches; };
const auto sweep = [](const HostConfig& c) -> std::uint64_t { return c.timers.sweep_interval_ms; };
const auto lease = [](const HostConfig& c) -> std::uint64_t { return c.timers.lease_s; };
const auto batch = [](const HostConfig& c) -> std::uint64_t { return c.timers.batch_max; };
const auto retention = [](const HostConfig& c) -> std::uint64_t { return c.idempotency.retention_h; };
const auto watch = [](const HostConfig& c) -> std::uint64_t { return c.plugins.watch_interval_ms; };

INSTANTIATE_TEST_SUITE_P(
    Server, ConfigRange,
    ::testing::Values(
        ok("server", "port", "0", port), ok("server", "port", "65535", port),
        refused("server", "port", "65536", "0..65535"), refused("server", "port", "-1", "0..65535"),
        refused("server", "port", "9223372036854775807", "0..65535"), refused("server", "threads_max", "0", "1..1024"),
        ok("server", "threads_max", "1", threads), ok("server", "threads_max", "1024", threads),
        refused("server", "threads_max", "1025", "1..1024"), refused("server", "queue_max", "0", "1..65536"),
        ok("server", "queue_max", "1", queue), ok("server", "queue_max", "65536", queue),
        refused("server", "queue_max", "65537", "1..65536"), refused("server", "body_bytes_max", "0", "1..16777216"),
        ok("server", "body_bytes_max", "1", body), ok("server", "body_bytes_max", "16777216", body),
        refused("server", "body_bytes_max", "16777217", "1..16777216"),
        refused("server", "keep_alive_timeout_s", "0", "1..3600"),
        ok("server", "keep_alive_timeout_s", "1", keep_alive), ok("server", "keep_alive_timeout_s", "3600", keep_alive),
        refused("server", "keep_alive_timeout_s", "3601", "1..3600"),
        refused("server", "shutdown_grace_s", "-1", "0..600"), ok("server", "shutdown_grace_s", "0", grace),
        ok("server", "shutdown_grace_s", "600", grace), refused("server", "shutdown_grace_s", "601", "0..600")),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    Transport, ConfigRange,
    ::testing::Values(
        refused("server", "head_bytes_max", "1023", "1024..65536"), ok("server", "head_bytes_max", "1024", head_bytes),
        ok("server", "head_bytes_max", "65536", head_bytes),
        refused("server", "head_bytes_max", "65537", "1024..65536"),
        refused("server", "header_fields_max", "0", "1..1000"), ok("server", "header_fields_max", "1", fields),
        ok("server", "header_fields_max", "1000", fields), refused("server", "header_fields_max", "1001", "1..1000"),
        refused("server", "head_timeout_ms", "99", "100..600000"), ok("server", "head_timeout_ms", "100", head_time),
        ok("server", "head_timeout_ms", "600000", head_time),
        refused("server", "head_timeout_ms", "600001", "100..600000"),
        refused("server", "body_timeout_ms", "99", "100..600000"), ok("server", "body_timeout_ms", "100", body_time),
        ok("server", "body_timeout_ms", "600000", body_time),
        refused("server", "body_timeout_ms", "600001", "100..600000"),
        refused("server", "connections_max", "0", "1..1000000"), ok("server", "connections_max", "1", connections),
        ok("server", "connections_max", "1000000", connections),
        refused("server", "connections_max", "1000001", "1..1000000"),
        refused("server", "connections_per_client_max", "0", "1..1000000"),
        ok("server", "connections_per_client_max", "1", per_client),
        ok("server", "connections_per_client_max", "1000000", per_client),
        refused("server", "connections_per_client_max", "1000001", "1..1000000")),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    Database, ConfigRange,
    ::testing::Values(refused("database", "pool_size", "0", "1..256"), ok("database", "pool_size", "1", pool),
                      ok("database", "pool_size", "256", pool), refused("database", "pool_size", "257", "1..256"),
                      refused("database", "busy_timeout_ms", "-1", "0..600000"),
                      ok("database", "busy_timeout_ms", "0", busy), ok("database", "busy_timeout_ms", "600000", busy),
                      refused("database", "busy_timeout_ms", "600001", "0..600000"),
                      refused("database", "group_commit_max", "0", "1..1024"),
                      ok("database", "group_commit_max", "1", group_max),
                      ok("database", "group_commit_max", "1024", group_max),
                      refused("database", "group_commit_max", "1025", "1..1024"),
                      refused("database", "group_commit_window_us", "-1", "0..1000000"),
                      ok("database", "group_commit_window_us", "0", group_window),
                      ok("database", "group_commit_window_us", "1000000", group_window),
                      refused("database", "group_commit_window_us", "1000001", "0..1000000"),
                      refused("database", "group_commit_batches", "0", "1..256"),
                      ok("database", "group_commit_batches", "1", group_batches),
                      ok("database", "group_commit_batches", "256", group_batches),
                      refused("database", "group_commit_batches", "257", "1..256")),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    Timers, ConfigRange,
    ::testing::Values(refused("timers", "sweep_interval_ms", "9", "10..60000"),
                      ok("timers", "sweep_interval_ms", "10", sweep), ok("timers", "sweep_interval_ms", "60000", sweep),
                      refused("timers", "sweep_interval_ms", "60001", "10..60000"),
                      refused("timers", "lease_s", "0", "1..3600"), ok("timers", "lease_s", "1", lease),
                      ok("timers", "lease_s", "3600", lease), refused("timers", "lease_s", "3601", "1..3600"),
                      refused("timers", "batch_max", "0", "1..10000"), ok("timers", "batch_max", "1", batch),
                      ok("timers", "batch_max", "10000", batch), refused("timers", "batch_max", "10001", "1..10000")),
    case_name);

INSTANTIATE_TEST_SUITE_P(Idempotency, ConfigRange,
                         ::testing::Values(refused("idempotency", "retention_h", "0", "1..8760"),
                                           ok("idempotency", "retention_h", "1", retention),
                                           ok("idempotency", "retention_h", "8760", retention),
                                           refused("idempotency", "retention_h", "8761", "1..8760")),
                         case_name);

INSTANTIATE_TEST_SUITE_P(Plugins, ConfigRange,
                         ::testing::Values(refused("plugins", "watch_interval_ms", "99", "100..60000"),
                                           ok("plugins", "watch_interval_ms", "100", watch),
                                           ok("plugins", "watch_interval_ms", "60000", watch),
                                           refused("plugins", "watch_interval_ms", "60001", "100..60000")),
                         case_name);

TEST(ConfigRanges, HexIntegerIsAnIntegerLikeAnyOther) {
    const Result<HostConfig> result = parse("[server]\nport = 0x1F90\n");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value().server.port, 8080);
}

TEST(ConfigRanges, EveryProblemIsReportedInFileOrder) {
    const std::string message = error_of("[timers]\n"
                                         "lease_s = 0\n"
                                         "[server]\n"
                                         "threads_max = 0\n"
                                         "port = 70000\n");
    EXPECT_EQ(message, at(2, 11) + "timers.lease_s: 0 is out of range; allowed 1..3600\n" + at(4, 15) +
                           "server.threads_max: 0 is out of range; allowed 1..1024\n" + at(5, 8) +
                           "server.port: 70000 is out of range; allowed 0..65535");
}

}  // namespace
}  // namespace billing::config::testing
