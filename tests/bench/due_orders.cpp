#include "due_orders.hpp"

#include <map>

#include "billing/core/ids.hpp"

namespace billing::bench {

namespace {

// The copies' prices: the template's times 1 .. price_steps, in turn.
constexpr std::size_t price_steps = 4;

// text with the first `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    if (const auto at = text.find(from); at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

// Writes copies first..last-1 of the template in one transaction.
void copy_range(BenchDb& bench, const DueOrders& d, std::size_t first, std::size_t last) {
    storage::Database::Lease lease(bench.db());
    soci::session& sql = lease.sql();
    const OrderShape& s = d.shape;
    const std::string template_due = std::to_string(t0_ms + s.timer_offset_ms);
    const std::string template_charge = "\"amount_minor\":" + std::to_string(s.price_minor) + ",";
    std::string order_id, transfer_id, event_id, decision, customer_id;
    long long created = 0, due = 0, price = 0;
    const long long written = t0_ms;
    sql << bench.db().dialect().begin_write;
    soci::statement order =
        (sql.prepare << "INSERT INTO orders (id, tenant_id, account_id, product, state, attributes, terms, "
                        "price_minor, charged_minor, captured_minor, refunded_from_escrow_minor, "
                        "refunded_from_revenue_minor, outcome, policy, is_final, version, created_at_ms, "
                        "updated_at_ms, closed_at_ms) VALUES (:id, :t, :acc, :p, :s, :attr, :terms, :price, :ch, "
                        "0, 0, 0, :out, :pol, :fin, :v, :cr, :up, NULL)",
         soci::use(order_id), soci::use(bench.tenant_id), soci::use(customer_id), soci::use(s.product),
         soci::use(s.state), soci::use(s.attributes_json), soci::use(s.terms_json), soci::use(price), soci::use(price),
         soci::use(s.outcome), soci::use(s.policy), soci::use(s.is_final), soci::use(s.version), soci::use(created),
         soci::use(created));
    soci::statement transfer =
        (sql.prepare << "INSERT INTO transfers (id, tenant_id, debit_account_id, credit_account_id, amount_minor, "
                        "kind, order_id, event_id, created_at_ms) VALUES (:id, :t, :d, :c, :a, :k, :o, :e, :at)",
         soci::use(transfer_id), soci::use(bench.tenant_id), soci::use(customer_id), soci::use(bench.escrow_id),
         soci::use(price), soci::use(s.transfer_kind), soci::use(order_id), soci::use(event_id), soci::use(written));
    soci::statement timer = (sql.prepare << "INSERT INTO timers (order_id, name, tenant_id, due_at_ms, lease_owner, "
                                            "lease_until_ms) VALUES (:o, :n, :t, :due, NULL, 0)",
                             soci::use(order_id), soci::use(s.timer_name), soci::use(bench.tenant_id), soci::use(due));
    soci::statement event =
        (sql.prepare << "INSERT INTO events (id, tenant_id, order_id, seq, type, timer, actor, policy, now_ms, "
                        "allowed, code, decision, created_at_ms) VALUES (:id, :t, :o, :seq, :type, :timer, :actor, "
                        ":pol, :now, 1, :code, :d, :at)",
         soci::use(event_id), soci::use(bench.tenant_id), soci::use(order_id), soci::use(s.version),
         soci::use(s.event_type), soci::use(s.event_timer), soci::use(s.event_actor), soci::use(s.event_policy),
         soci::use(created), soci::use(s.event_code), soci::use(decision), soci::use(written));
    std::map<std::string, long long> paid;  // by customer
    for (std::size_t i = first; i < last; ++i) {
        order_id = new_id("ord");
        transfer_id = new_id("trf");
        event_id = new_id("evt");
        customer_id = d.customers[i % d.customers.size()];
        price = s.price_minor * static_cast<long long>(1 + i % price_steps);
        created = t0_ms + static_cast<long long>(i);
        due = created + s.timer_offset_ms;
        decision = replaced(replaced(s.decision_json, template_due, std::to_string(due)), template_charge,
                            "\"amount_minor\":" + std::to_string(price) + ",");
        order.execute(true);
        transfer.execute(true);
        timer.execute(true);
        event.execute(true);
        paid[customer_id] += price;
    }
    long long moved = 0;
    long long paying = 0, escrow_rows = 0;
    {
        std::string customer;
        long long amount = 0;
        soci::statement debit = (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor - :a "
                                                "WHERE id = :id AND balance_minor >= :a2",
                                 soci::use(amount), soci::use(customer), soci::use(amount));
        for (const auto& [who, sum] : paid) {
            customer = who;
            amount = sum;
            debit.execute(true);
            paying += debit.get_affected_rows();
            moved += sum;
        }
        soci::statement credit =
            (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor + :a WHERE id = :id", soci::use(moved),
             soci::use(bench.escrow_id));
        credit.execute(true);
        escrow_rows = credit.get_affected_rows();
    }
    if (paying != static_cast<long long>(paid.size()) || escrow_rows != 1) {
        sql << "ROLLBACK";
        fail("set-up: the customers cannot pay for the copied orders");
    }
    sql << "COMMIT";
}

}  // namespace

DueOrders make_due_orders(BenchDb& bench, std::size_t n, std::size_t rows_per_transaction) {
    DueOrders d;
    const sdk::PurchaseRequest activation{"activation", {{"service", "facebook"}, {"country", "de"}}, {}};
    d.template_order_id =
        must(bench.engine().purchase(*otpdesk(), bench.tenant_id, bench.customer_id, activation, t0_ms),
             "template purchase")
            .order.id;
    d.shape = must(bench.db().read([&](soci::session& sql) -> Result<OrderShape> {
        return read_order_shape(sql, d.template_order_id);
    }),
                   "reading the template order");
    if (d.shape.price_minor * static_cast<long long>(price_steps) > price_max_minor) {
        fail("set-up: the activation's price times " + std::to_string(price_steps) + " is above price_max_minor");
    }
    // The template's customer and more, funded for their share of the copies at the top price.
    d.customers.push_back(bench.customer_id);
    const auto share = static_cast<MinorUnits>(n / customers_count + 1) * price_max_minor;
    for (std::size_t c = 1; c < customers_count; ++c) {
        d.customers.push_back(bench.add_customer("customer-due-" + std::to_string(c), share));
    }
    for (std::size_t first = 1; first < n; first += rows_per_transaction) {
        copy_range(bench, d, first, std::min(n, first + rows_per_transaction));
    }
    d.count = n;
    d.all_due_ms = t0_ms + static_cast<UtcMs>(n) + d.shape.timer_offset_ms;
    return d;
}

}  // namespace billing::bench
