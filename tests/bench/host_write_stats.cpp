#include "host_write_stats.hpp"

#include <charconv>
#include <string>

#include "bench_env.hpp"
#include "bench_host.hpp"
#include "http_pair_client.hpp"

namespace billing::bench {

namespace {

// The value of the unlabelled sample `name value` in text, if there is one.
bool sample_of(std::string_view text, std::string_view name, std::uint64_t& value) {
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (line.size() <= name.size() || line.substr(0, name.size()) != name || line[name.size()] != ' ') continue;
        const std::string_view number = line.substr(name.size() + 1);
        // Counters print as integers; a trailing ".0" or exponent would stop from_chars early.
        double parsed = 0;
        const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), parsed);
        if (ec != std::errc{} || parsed < 0) return false;
        value = static_cast<std::uint64_t>(parsed);
        return true;
    }
    return false;
}

}  // namespace

HostWriteStats HostWriteStats::operator-(const HostWriteStats& before) const {
    return HostWriteStats{.batches = batches - before.batches,
                          .batched_writes = batched_writes - before.batched_writes,
                          .batches_failed = batches_failed - before.batches_failed,
                          .writes_alone = writes_alone - before.writes_alone};
}

HostWriteStats& HostWriteStats::operator+=(const HostWriteStats& more) {
    batches += more.batches;
    batched_writes += more.batched_writes;
    batches_failed += more.batches_failed;
    writes_alone += more.writes_alone;
    return *this;
}

double HostWriteStats::mean_batch_size() const {
    return batches == 0 ? 0 : static_cast<double>(batched_writes) / static_cast<double>(batches);
}

double HostWriteStats::writes_per_commit() const {
    const std::uint64_t commits = batches + writes_alone;
    return commits == 0 ? 0 : static_cast<double>(batched_writes + writes_alone) / static_cast<double>(commits);
}

HostWriteStats parse_write_stats(std::string_view metrics_text) {
    HostWriteStats s;
    const std::pair<const char*, std::uint64_t*> samples[] = {
        {"billing_db_write_batches_total", &s.batches},
        {"billing_db_batched_writes_total", &s.batched_writes},
        {"billing_db_write_batches_failed_total", &s.batches_failed},
        {"billing_db_writes_alone_total", &s.writes_alone},
    };
    for (const auto& [name, value] : samples) {
        if (!sample_of(metrics_text, name, *value)) {
            fail(std::string("GET /metrics has no sample ") + name + ": the host's group-commit counters are needed");
        }
    }
    return s;
}

HostWriteStats read_write_stats(HttpPairClient& client) {
    return parse_write_stats(must_succeed(client.get("/metrics"), "GET /metrics"));
}

}  // namespace billing::bench
