// The raw-transaction floor of billing_http_bench's http_purchase_cancel_vs_raw_tx: what the
// engine writes for one purchase and for its cancel, written by hand, each in one transaction
// opened with the host's writer BEGIN (storage::Dialect::begin_write: BEGIN IMMEDIATE on SQLite)
// with statements prepared once (like purchase_bench.cpp's floor), on a second Database over the
// host's own database, so both sides write the same tables and grow them alike. Each floor
// client has a connection of its own, as each of the host's requests has a pooled session. The texts (order attributes
// and terms, decisions, stored idempotent answers) are copied from an order the host sold and cancelled over HTTP, so
// no encoding is paid here.
//
//   purchase: insert order, debit customer (>= check), credit escrow, insert transfer, insert
//             timer, insert event, insert idempotency record
//   cancel:   update order (version check), delete timer, debit escrow (>= check), credit
//             customer, insert refund transfer, insert event, insert idempotency record
#pragma once

#include <soci/soci.h>

#include <memory>
#include <mutex>
#include <string>

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

    bool purchase() override;
    bool cancel() override;

private:
    bool run(const char* what, bool (RawPairFloor::*writes)());
    bool purchase_writes();
    bool cancel_writes();

    const PairShape& shape_;
    const FloorAccounts accounts_;
    const std::string key_tag_;
    std::mutex* writer_lock_;
    std::size_t sequence_ = 0;
    // Bound to the statements below, so declared before them.
    std::string order_id_, transfer_id_, event_id_, idem_key_;
    long long now_ = 0, due_ = 0, cancel_version_ = 2;
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
