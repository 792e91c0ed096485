#include "pair_floor.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

#include "bench_env.hpp"
#include "billing/core/ids.hpp"

namespace billing::bench {

namespace {

long long count_of(soci::session& sql, const std::string& query, const std::string& order_id) {
    long long n = -1;
    sql << query, soci::into(n), soci::use(order_id);
    return n;
}

StoredAnswer read_answer(soci::session& sql, const std::string& key) {
    StoredAnswer a;
    sql << "SELECT request_hash, status_code, response FROM idempotency_keys WHERE idem_key = :k",
        soci::into(a.request_hash), soci::into(a.status_code), soci::into(a.response), soci::use(key);
    if (!sql.got_data()) fail("no idempotency record for key " + key);
    return a;
}

long long wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

OrderShape read_purchase_shape(soci::session& sql, const std::string& order_id) {
    return read_order_shape(sql, order_id);
}

void read_cancel_shape(soci::session& sql, const std::string& order_id, const std::string& purchase_key,
                       const std::string& cancel_key, PairShape& shape) {
    shape.cancel = read_event_shape(sql, order_id, 2);
    const long long timers = count_of(sql, "SELECT COUNT(*) FROM timers WHERE order_id = :o", order_id);
    const long long transfers = count_of(sql, "SELECT COUNT(*) FROM transfers WHERE order_id = :o", order_id);
    const long long events = count_of(sql, "SELECT COUNT(*) FROM events WHERE order_id = :o", order_id);
    long long refunded_escrow = -1, refunded_revenue = -1, captured = -1, version = -1;
    int is_final = -1;
    sql << "SELECT refunded_from_escrow_minor, refunded_from_revenue_minor, captured_minor, version, is_final, "
           "attributes, terms FROM orders WHERE id = :o",
        soci::into(refunded_escrow), soci::into(refunded_revenue), soci::into(captured), soci::into(version),
        soci::into(is_final), soci::into(shape.cancelled_attributes_json), soci::into(shape.cancelled_terms_json),
        soci::use(order_id);
    if (timers != 0 || transfers != 2 || events != 2 || refunded_escrow != shape.purchase.price_minor ||
        refunded_revenue != 0 || captured != 0 || version != 2 || is_final != 1) {
        fail("a cancel no longer drops the one timer and refunds the price from escrow in one transfer: "
             "the floor in pair_floor.cpp must be updated");
    }
    sql << "SELECT kind FROM transfers WHERE order_id = :o AND kind <> :k", soci::into(shape.refund_kind),
        soci::use(order_id), soci::use(shape.purchase.transfer_kind);
    shape.purchase_answer = read_answer(sql, purchase_key);
    shape.cancel_answer = read_answer(sql, cancel_key);
}

namespace {

std::unique_ptr<storage::Database> one_session(const config::DatabaseConfig& database) {
    auto options = storage::DatabaseOptions::from(database);
    options.pool_size = 1;
    return must(storage::Database::open(options), "opening a floor connection to " + database.url);
}

}  // namespace

RawPairFloor::RawPairFloor(const config::DatabaseConfig& database, const PairShape& shape, FloorAccounts accounts,
                           std::string key_tag, std::mutex* writer_lock)
    : shape_(shape), accounts_(std::move(accounts)), key_tag_(std::move(key_tag)), writer_lock_(writer_lock),
      db_(one_session(database)), lease_(*db_), sql_(lease_.sql()), begin_(sql_.prepare << db_->dialect().begin_write),
      commit_(sql_.prepare << "COMMIT"), rollback_(sql_.prepare << "ROLLBACK"), insert_order_(sql_),
      debit_customer_(sql_), credit_escrow_(sql_), insert_purchase_transfer_(sql_), insert_timer_(sql_),
      insert_purchase_event_(sql_), insert_purchase_answer_(sql_), update_order_(sql_), drop_timer_(sql_),
      debit_escrow_(sql_), credit_customer_(sql_), insert_refund_transfer_(sql_), insert_cancel_event_(sql_),
      insert_cancel_answer_(sql_) {
    // Each statement is prepared below (where its SQL is readable) and replaces its placeholder.
    const OrderShape& p = shape.purchase;
    const EventShape& c = shape.cancel;
    const FloorAccounts& a = accounts_;
    insert_order_ = (sql_.prepare << "INSERT INTO orders (id, tenant_id, account_id, product, state, attributes, "
                                     "terms, price_minor, charged_minor, captured_minor, refunded_from_escrow_minor, "
                                     "refunded_from_revenue_minor, outcome, policy, is_final, version, created_at_ms, "
                                     "updated_at_ms, closed_at_ms) VALUES (:id, :t, :acc, :p, :s, :attr, :terms, "
                                     ":price, :ch, 0, 0, 0, :out, :pol, :fin, :v, :cr, :up, NULL)",
                     soci::use(order_id_), soci::use(a.tenant_id), soci::use(a.customer_id), soci::use(p.product),
                     soci::use(p.state), soci::use(p.attributes_json), soci::use(p.terms_json),
                     soci::use(p.price_minor), soci::use(p.price_minor), soci::use(p.outcome), soci::use(p.policy),
                     soci::use(p.is_final), soci::use(p.version), soci::use(now_), soci::use(now_));
    debit_customer_ =
        (sql_.prepare << "UPDATE accounts SET balance_minor = balance_minor - :a "
                         "WHERE id = :id AND tenant_id = :t AND balance_minor >= :a2",
         soci::use(p.price_minor), soci::use(a.customer_id), soci::use(a.tenant_id), soci::use(p.price_minor));
    credit_escrow_ =
        (sql_.prepare << "UPDATE accounts SET balance_minor = balance_minor + :a "
                         "WHERE id = :id AND tenant_id = :t AND balance_minor <= :limit",
         soci::use(escrow_minor_), soci::use(a.escrow_id), soci::use(a.tenant_id), soci::use(balance_limit_));
    const std::string insert_transfer =
        "INSERT INTO transfers (id, tenant_id, debit_account_id, credit_account_id, amount_minor, kind, order_id, "
        "event_id, created_at_ms) VALUES (:id, :t, :d, :c, :a, :k, :o, :e, :at)";
    insert_purchase_transfer_ =
        (sql_.prepare << insert_transfer, soci::use(transfer_id_), soci::use(a.tenant_id), soci::use(a.customer_id),
         soci::use(a.escrow_id), soci::use(p.price_minor), soci::use(p.transfer_kind), soci::use(order_id_),
         soci::use(event_id_), soci::use(now_));
    insert_timer_ = (sql_.prepare << "INSERT INTO timers (order_id, name, tenant_id, due_at_ms, lease_owner, "
                                     "lease_until_ms) VALUES (:o, :n, :t, :due, NULL, 0)",
                     soci::use(order_id_), soci::use(p.timer_name), soci::use(a.tenant_id), soci::use(due_));
    const std::string insert_event =
        "INSERT INTO events (id, tenant_id, order_id, seq, type, timer, actor, policy, now_ms, allowed, code, "
        "decision, created_at_ms) VALUES (:id, :t, :o, :seq, :type, :timer, :actor, :pol, :now, 1, :code, :d, :at)";
    insert_purchase_event_ = (sql_.prepare << insert_event, soci::use(event_id_), soci::use(a.tenant_id),
                              soci::use(order_id_), soci::use(p.version), soci::use(p.event_type),
                              soci::use(p.event_timer), soci::use(p.event_actor), soci::use(p.event_policy),
                              soci::use(now_), soci::use(p.event_code), soci::use(p.decision_json), soci::use(now_));
    const std::string insert_answer =
        "INSERT INTO idempotency_keys (tenant_id, idem_key, request_hash, status_code, response, created_at_ms) "
        "VALUES (:t, :k, :h, :s, :r, :at)";
    const StoredAnswer& pa = shape.purchase_answer;
    insert_purchase_answer_ =
        (sql_.prepare << insert_answer, soci::use(a.tenant_id), soci::use(idem_key_), soci::use(pa.request_hash),
         soci::use(pa.status_code), soci::use(pa.response), soci::use(now_));

    // Every column the engine's orders::update writes, unchanged ones included.
    update_order_ = (sql_.prepare << "UPDATE orders SET state = :s, attributes = :attr, terms = :terms, "
                                     "refunded_from_escrow_minor = refunded_from_escrow_minor + :a, outcome = :out, "
                                     "policy = :pol, is_final = :fin, version = :nv, updated_at_ms = :up, "
                                     "closed_at_ms = :cl WHERE id = :id AND tenant_id = :t AND version = :v",
                     soci::use(c.order_state), soci::use(shape.cancelled_attributes_json),
                     soci::use(shape.cancelled_terms_json), soci::use(p.price_minor), soci::use(c.order_outcome),
                     soci::use(c.policy), soci::use(closed_), soci::use(cancel_version_), soci::use(now_),
                     soci::use(now_), soci::use(order_id_), soci::use(a.tenant_id), soci::use(p.version));
    drop_timer_ = (sql_.prepare << "DELETE FROM timers WHERE order_id = :o AND name = :n", soci::use(order_id_),
                   soci::use(p.timer_name));
    debit_escrow_ =
        (sql_.prepare << "UPDATE accounts SET balance_minor = balance_minor - :a "
                         "WHERE id = :id AND tenant_id = :t AND balance_minor >= :a2",
         soci::use(escrow_minor_), soci::use(a.escrow_id), soci::use(a.tenant_id), soci::use(escrow_minor_));
    credit_customer_ =
        (sql_.prepare << "UPDATE accounts SET balance_minor = balance_minor + :a "
                         "WHERE id = :id AND tenant_id = :t AND balance_minor <= :limit",
         soci::use(p.price_minor), soci::use(a.customer_id), soci::use(a.tenant_id), soci::use(balance_limit_));
    insert_refund_transfer_ =
        (sql_.prepare << insert_transfer, soci::use(transfer_id_), soci::use(a.tenant_id), soci::use(a.escrow_id),
         soci::use(a.customer_id), soci::use(p.price_minor), soci::use(shape.refund_kind), soci::use(order_id_),
         soci::use(event_id_), soci::use(now_));
    insert_cancel_event_ =
        (sql_.prepare << insert_event, soci::use(event_id_), soci::use(a.tenant_id), soci::use(order_id_),
         soci::use(cancel_version_), soci::use(c.type), soci::use(c.timer), soci::use(c.actor), soci::use(c.policy),
         soci::use(now_), soci::use(c.code), soci::use(c.decision_json), soci::use(now_));
    const StoredAnswer& ca = shape.cancel_answer;
    insert_cancel_answer_ =
        (sql_.prepare << insert_answer, soci::use(a.tenant_id), soci::use(idem_key_), soci::use(ca.request_hash),
         soci::use(ca.status_code), soci::use(ca.response), soci::use(now_));
}

void RawPairFloor::set_batch_size(std::size_t k) { batch_size_ = std::max<std::size_t>(1, k); }

std::string RawPairFloor::idempotency_key(std::size_t sequence, const char* what) const {
    return key_tag_ + "-" + std::to_string(sequence) + "-" + what;
}

bool RawPairFloor::purchase() {
    batch_.clear();
    for (std::size_t i = 0; i < batch_size_; ++i) {
        batch_.push_back(RequestIds{.order_id = new_id("ord"),
                                    .transfer_id = new_id("trf"),
                                    .event_id = new_id("evt"),
                                    .idem_key = idempotency_key(++sequence_, "buy"),
                                    .sequence = sequence_});
    }
    return run("raw purchase", &RawPairFloor::purchase_writes);
}

bool RawPairFloor::cancel() {
    for (RequestIds& ids : batch_) {
        ids.transfer_id = new_id("trf");
        ids.event_id = new_id("evt");
        ids.idem_key = idempotency_key(ids.sequence, "cancel");
    }
    return run("raw cancel", &RawPairFloor::cancel_writes);
}

// One transaction: the backend's writer BEGIN (the host's), the writes, COMMIT; anything else
// rolls it back. The ids were made before, so that the writer holds the lock for the writes only.
bool RawPairFloor::run(const char* what, bool (RawPairFloor::*writes)()) {
    now_ = wall_ms();
    due_ = now_ + shape_.purchase.timer_offset_ms;
    escrow_minor_ = shape_.purchase.price_minor * static_cast<long long>(batch_.size());
    std::unique_lock<std::mutex> queued;
    if (writer_lock_ != nullptr) queued = std::unique_lock<std::mutex>(*writer_lock_);
    try {
        begin_.execute(true);
        if ((this->*writes)()) {
            commit_.execute(true);
            return true;
        }
    } catch (const std::exception& e) {
        failure_ = std::string(what) + ": " + e.what();
    }
    if (failure_.empty()) failure_ = std::string(what) + ": a balance check refused it";
    try {
        rollback_.execute(true);
    } catch (const std::exception&) {
        // No transaction was open (BEGIN itself failed): nothing to undo.
    }
    return false;
}

void RawPairFloor::bind(const RequestIds& ids) {
    order_id_ = ids.order_id;
    transfer_id_ = ids.transfer_id;
    event_id_ = ids.event_id;
    idem_key_ = ids.idem_key;
}

bool RawPairFloor::purchase_writes() {
    for (const RequestIds& ids : batch_) {
        bind(ids);
        insert_order_.execute(true);
        debit_customer_.execute(true);
        if (debit_customer_.get_affected_rows() != 1) return false;
        insert_purchase_transfer_.execute(true);
        insert_timer_.execute(true);
        insert_purchase_event_.execute(true);
        insert_purchase_answer_.execute(true);
    }
    credit_escrow_.execute(true);
    return credit_escrow_.get_affected_rows() == 1;
}

bool RawPairFloor::cancel_writes() {
    for (const RequestIds& ids : batch_) {
        bind(ids);
        update_order_.execute(true);
        if (update_order_.get_affected_rows() != 1) return false;
        drop_timer_.execute(true);
        credit_customer_.execute(true);
        if (credit_customer_.get_affected_rows() != 1) return false;
        insert_refund_transfer_.execute(true);
        insert_cancel_event_.execute(true);
        insert_cancel_answer_.execute(true);
    }
    debit_escrow_.execute(true);
    return debit_escrow_.get_affected_rows() == 1;
}

}  // namespace billing::bench
