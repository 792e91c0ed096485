// The raw-transaction floors of billing_http_bench: what the engine writes for purchases and
// for their cancels, written by hand, k requests per transaction (k = 1: the one-transaction-
// per-request floor of http_vs_raw_tx; k = the host's mean batch size: the batched floor of
// http_vs_batched_raw_tx). Each transaction is opened with the host's writer BEGIN
// (storage::Dialect::begin_write: BEGIN IMMEDIATE on SQLite), with statements prepared once (like
// purchase_bench.cpp's floor), on a second Database over the host's own database, so that every
// side writes the same tables and grows them alike. Each floor client has a connection of its
// own, as each of the host's requests has a pooled session. The texts (order attributes and
// terms, decisions, stored idempotent answers) are copied from an order the host sold and
// cancelled over HTTP, so no encoding is paid here.
//
//   purchase, per request: insert order, debit customer (>= check), insert transfer, insert
//             timer, insert event, insert idempotency record; then once: credit escrow by the sum
//   cancel, per request:   update order (version check), delete timer, credit customer, insert
//             refund transfer, insert event, insert idempotency record; then once: debit escrow
//             by the sum (>= check)
//
// The escrow row, which every request of the tenant updates, is written once per transaction
// and last, as the host's writer does (the sum of a batch's moves, just before COMMIT): that row
// stays locked only from that UPDATE to COMMIT on a server.
#pragma once

#include <soci/soci.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "billing/storage/database.hpp"
#include "load_driver.hpp"
#include "order_shape.hpp"

namespace billing::bench {

// An idempotency record as the host stores it.
struct StoredAnswer {
    std::string request_hash, response;
    int status_code = 0;
};

struct PairShape {
    OrderShape purchase;
    EventShape cancel;
    std::string cancelled_attributes_json, cancelled_terms_json;  // the order's texts after the cancel
    std::string refund_kind;
    StoredAnswer purchase_answer, cancel_answer;
};

// Reads the shape of order_id, sold with purchase_key and then cancelled with cancel_key; fails
// the benchmark when a purchase or a cancel no longer writes what the floor writes.
// read_purchase_shape must run before the cancel, read_cancel_shape after it.
OrderShape read_purchase_shape(soci::session& sql, const std::string& order_id);
void read_cancel_shape(soci::session& sql, const std::string& order_id, const std::string& purchase_key,
                       const std::string& cancel_key, PairShape& shape);

struct FloorAccounts {
    std::string tenant_id, escrow_id, customer_id;
};

class RawPairFloor final : public PairClient {
public:
    // Opens a Database of one session over database for its prepared statements and holds the
    // session while it lives. With a writer_lock (SQLite), each transaction first waits for it
    // (held until COMMIT), so that the floor's threads queue in the process instead of in
    // SQLite's busy handler.
    RawPairFloor(const config::DatabaseConfig& database, const PairShape& shape, FloorAccounts accounts,
                 std::string key_tag, std::mutex* writer_lock = nullptr);

    // From the next purchase() on, purchase() buys k orders (k >= 1) in one transaction and the
    // cancel() after it cancels them in one transaction.
    void set_batch_size(std::size_t k);
    [[nodiscard]] std::size_t pairs_per_call() const override { return batch_size_; }

    bool purchase() override;
    bool cancel() override;

private:
    // One request's ids, made before the transaction.
    struct RequestIds {
        std::string order_id, transfer_id, event_id, idem_key;
        std::size_t sequence = 0;  // the purchase's number among this floor's, in both keys
    };

    [[nodiscard]] std::string idempotency_key(std::size_t sequence, const char* what) const;
    bool run(const char* what, bool (RawPairFloor::*writes)());
    bool purchase_writes();
    bool cancel_writes();
    void bind(const RequestIds& ids);

    const PairShape& shape_;
    const FloorAccounts accounts_;
    const std::string key_tag_;
    std::mutex* writer_lock_;
    std::size_t sequence_ = 0;
    std::size_t batch_size_ = 1;
    std::vector<RequestIds> batch_;  // the last purchase()'s orders, then their cancels
    // Bound to the statements below, so declared before them.
    std::string order_id_, transfer_id_, event_id_, idem_key_;
    long long now_ = 0, due_ = 0, cancel_version_ = 2;
    long long escrow_minor_ = 0;  // the transaction's escrow move: the price times its requests
    const int closed_ = 1;
    const long long balance_limit_ = (1LL << 62) - 1000;
    std::unique_ptr<storage::Database> db_;
    storage::Database::Lease lease_;
    soci::session& sql_;
    soci::statement begin_, commit_, rollback_;
    soci::statement insert_order_, debit_customer_, credit_escrow_, insert_purchase_transfer_, insert_timer_,
        insert_purchase_event_, insert_purchase_answer_;
    soci::statement update_order_, drop_timer_, debit_escrow_, credit_customer_, insert_refund_transfer_,
        insert_cancel_event_, insert_cancel_answer_;
};

}  // namespace billing::bench
