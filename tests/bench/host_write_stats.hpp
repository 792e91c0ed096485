// The group-commit counters of a running billing host, read from its GET /metrics
// (storage::Database::write_stats as the host exposes it): the batches committed (a lone write is
// a batch of one), the writes they answered, the batches that committed nothing, and the writes
// that ran in a transaction of their own (the sweeper's, and a failed batch's writes run again).
// Monotonic since the host started, so a figure takes the difference of two readings around its
// run.
#pragma once

#include <cstdint>
#include <string_view>

namespace billing::bench {

class HttpPairClient;

struct HostWriteStats {
    std::uint64_t batches = 0, batched_writes = 0, batches_failed = 0, writes_alone = 0;

    [[nodiscard]] HostWriteStats operator-(const HostWriteStats& before) const;
    HostWriteStats& operator+=(const HostWriteStats& more);
    // Writes per batch: batched_writes / batches (0 without a batch).
    [[nodiscard]] double mean_batch_size() const;
    // Writes per writer transaction, the batches' and those that ran alone.
    [[nodiscard]] double writes_per_commit() const;
};

// Parses the four counters from a Prometheus text exposition; fails the benchmark when one is
// missing (a host without group commit, or a renamed metric).
HostWriteStats parse_write_stats(std::string_view metrics_text);

// GET /metrics on client's connection, parsed.
HostWriteStats read_write_stats(HttpPairClient& client);

}  // namespace billing::bench
