#include "crash_model.hpp"

#include "crash_protocol.hpp"

namespace billing::crash {

namespace {

constexpr long long price_per_day_minor = 500;  // config/otpdesk.toml [rental]

// The words of one answered operation, by position (crash_protocol.hpp).
struct Answer {
    const Op& op;
    [[nodiscard]] const std::string& kind() const { return op.begin.at(0); }
    [[nodiscard]] const std::string& key() const { return op.begin.at(1); }
    [[nodiscard]] const std::string& arg(std::size_t i) const { return op.begin.at(3 + i); }
    [[nodiscard]] const std::string& result(std::size_t i) const { return op.result.at(i); }
    [[nodiscard]] long long number(std::size_t i) const { return std::stoll(op.result.at(i)); }
};

class ModelBuilder {
public:
    Model take() && { return std::move(m_); }

    void add(const Op& op) {
        const Answer a{op};
        if (op.answer == "NACK") {
            ++m_.tally.refused;
            return;
        }
        if (op.answer != "ACK" && op.answer != "DUP") return;  // crash_verify reports the unanswered
        if (!well_formed(a)) {
            m_.problems.push_back(a.kind() + " " + a.key() + ": malformed answer " + join_words(op.result));
            return;
        }
        // An abandoned operation that landed moves money like any other, but nobody was told:
        // it does not count as acknowledged work.
        Tally ignored;
        Tally& tally = op.abandoned ? ignored : m_.tally;
        if (a.kind() == kind::deposit) {
            ++tally.deposits;
            m_.balances[a.result(0)] += a.number(1);
        } else if (a.kind() == kind::activation || a.kind() == kind::rental) {
            purchase(a, tally);
        } else if (a.kind() == kind::advance) {
            ++tally.advances;
            tally.advance_timers += a.number(1);
            tally.advance_reruns += a.number(2) > 0 ? 1 : 0;
        } else {
            decision(a, tally);
        }
    }

    // Activations that neither a cancel nor a code closed expire, refunded in full by a timer.
    void finish() {
        for (auto& [id, order] : m_.orders) {
            if (order.product == kind::activation && !order.cancelled && !order.delivered) {
                m_.balances[order.account] += order.price;
            }
        }
    }

private:
    static bool well_formed(const Answer& a) {
        const std::size_t n = a.op.result.size();
        if (a.kind() == kind::deposit) return n == 3 && a.result(0) == a.arg(0) && a.result(1) == a.arg(1);
        if (a.kind() == kind::activation || a.kind() == kind::rental) return n == 2;
        if (a.kind() == kind::advance) return n == 4;
        return n == 7 && a.result(0) == a.arg(0) && (a.result(1) == "0" || a.result(1) == "1");
    }

    void problem(const Answer& a, const std::string& what) {
        m_.problems.push_back(a.kind() + " " + a.key() + " (" + a.op.answer + " " + join_words(a.op.result) +
                              "): " + what);
    }

    void purchase(const Answer& a, Tally& tally) {
        (a.kind() == kind::activation ? tally.activations : tally.rentals) += 1;
        const std::string& id = a.result(0);
        if (m_.orders.count(id) != 0) return problem(a, "a second purchase answered with the same order");
        OrderModel& order = m_.orders[id];
        order.tenant_tag = a.op.begin.at(2);
        order.account = a.arg(0);
        order.product = a.kind();
        order.price = a.number(1);
        order.charged = order.price;
        m_.balances[order.account] -= order.price;
        if (a.kind() == kind::rental) {
            order.rented_hours = std::stoll(a.arg(1));
            if (order.price != rental_price_minor(order.rented_hours)) {
                problem(a, "a rental's price is not its hours at the price per day");
            }
        }
    }

    // An answered cancel, message or extension: <order> <allowed> <code> <version> <state>
    // <refunded> <charged>.
    void decision(const Answer& a, Tally& tally) {
        const auto found = m_.orders.find(a.result(0));
        if (found == m_.orders.end()) return problem(a, "decided on an order no purchase answer names");
        OrderModel& order = found->second;
        const bool allowed = a.result(1) == "1";
        const long long refunded = a.number(5);
        const long long charged = a.number(6);
        if (a.kind() == kind::cancel) {
            tally.cancels_too_early += a.result(2) == "cancel_too_early" ? 1 : 0;
        }
        if (!allowed) {
            if (refunded != 0 || charged != order.charged) problem(a, "a denial moved money");
            return;
        }
        if (a.kind() == kind::extend) {
            ++tally.extensions_allowed;
            const long long price = charged - order.charged;
            if (price != rental_price_minor(std::stoll(a.arg(1)))) problem(a, "an extension charged a wrong price");
            order.charged = charged;
            order.extension_charges += price;
            order.rented_hours += std::stoll(a.arg(1));
            m_.balances[order.account] -= price;
            return;
        }
        if (charged != order.charged) problem(a, "the order's charge is not what its answers charged");
        if (order.cancelled || (order.delivered && a.kind() == kind::cancel)) {
            return problem(a, "allowed on an order an earlier answer had closed to it");
        }
        if (a.kind() == kind::cancel) {
            ++(order.product == kind::activation ? tally.cancels_after_mark : tally.rental_cancels);
            order.cancelled = true;
            if (refunded != order.price) problem(a, "a cancel refunded other than the purchase price");
            m_.balances[order.account] += refunded;
        } else {
            ++tally.messages_allowed;
            order.delivered = order.delivered || order.product == kind::activation;
            if (refunded != 0) problem(a, "a code refunded money");
        }
    }

    Model m_;
};

}  // namespace

long long rental_price_minor(long long hours) { return (hours * price_per_day_minor + 23) / 24; }

Model build_model(const Journal& journal) {
    ModelBuilder builder;
    for (const Op* op : journal.in_order()) builder.add(*op);
    builder.finish();
    return std::move(builder).take();
}

}  // namespace billing::crash
