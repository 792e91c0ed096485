#include "report_seed.hpp"

#include <array>
#include <vector>

#include "billing/core/ids.hpp"
#include "billing/sdk/types.hpp"

namespace billing::bench {

namespace {

constexpr std::array<const char*, report_countries> countries{"us", "gb", "de", "fr", "es", "it", "nl",
                                                              "pl", "se", "br", "mx", "in", "id", "ph",
                                                              "vn", "th", "ng", "ke", "za", "ua"};
constexpr std::array<const char*, report_services> services{
    "telegram", "whatsapp", "google", "facebook", "instagram", "tiktok", "discord", "twitter", "viber",  "wechat",
    "line",     "kakao",    "uber",   "amazon",   "microsoft", "apple",  "yahoo",   "netflix", "paypal", "airbnb",
    "linkedin", "snapchat", "tinder", "bumble",   "steam",     "ebay",   "olx",     "avito",   "vk",     "signal"};

// One orders row as the engine wrote it.
struct OrderRow {
    std::string product, state, attributes, terms, outcome, policy;
    long long price = 0, charged = 0, captured = 0, refunded_escrow = 0, refunded_revenue = 0;
    int is_final = 0;
    long long version = 0, created = 0, updated = 0, closed = 0;
};

OrderRow read_row(BenchDb& bench, const std::string& order_id) {
    storage::Database::Lease lease(bench.db());
    OrderRow r;
    soci::indicator closed_ind = soci::i_null;
    lease.sql() << "SELECT product, state, attributes, terms, outcome, policy, price_minor, charged_minor, "
                   "captured_minor, refunded_from_escrow_minor, refunded_from_revenue_minor, is_final, version, "
                   "created_at_ms, updated_at_ms, closed_at_ms FROM orders WHERE id = :id",
        soci::into(r.product), soci::into(r.state), soci::into(r.attributes), soci::into(r.terms),
        soci::into(r.outcome), soci::into(r.policy), soci::into(r.price), soci::into(r.charged), soci::into(r.captured),
        soci::into(r.refunded_escrow), soci::into(r.refunded_revenue), soci::into(r.is_final), soci::into(r.version),
        soci::into(r.created), soci::into(r.updated), soci::into(r.closed, closed_ind), soci::use(order_id);
    if (!lease.sql().got_data() || closed_ind != soci::i_ok || r.is_final != 1) {
        fail("set-up: template order " + order_id + " is not closed");
    }
    return r;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) fail("set-up: the attributes text " + text + " has no " + from);
    return text.replace(at, from.size(), to);
}

// splitmix64: a fixed, seedless stream, so that every run writes the same data set.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// The delivery probability (of 10,000) of a country and a service: 35% to 92% by country,
// -2% to +2% by service.
std::uint64_t rate_of_10000(std::size_t country, std::size_t service) {
    return 3500 + 300 * country + 100 * (service % 5) - 200;
}

enum Template { delivered_template, expired_template, cancelled_template };

// Three real activations (telegram, us): a code at 0:30 and completed at 20:00, expired at
// 20:00, cancelled at 2:00.
std::array<OrderRow, 3> make_templates(BenchDb& bench) {
    std::array<std::string, 3> ids;
    sdk::PurchaseRequest request;
    request.product = "activation";
    request.attributes = {{"service", "telegram"}, {"country", "us"}};
    for (std::string& id : ids) {
        id = must(bench.engine().purchase(*otpdesk(), bench.tenant_id, bench.customer_id, request, t0_ms),
                  "template purchase")
                 .order.id;
    }
    sdk::Event code;
    code.type = sdk::event_type::message;
    code.actor = "provider";
    code.text["service"] = "telegram";
    must(bench.engine().apply(*otpdesk(), bench.tenant_id, ids[delivered_template], code, t0_ms + 30'000),
         "template code");
    sdk::Event cancel;
    cancel.type = sdk::event_type::cancel;
    cancel.actor = "customer";
    const auto cancelled =
        must(bench.engine().apply(*otpdesk(), bench.tenant_id, ids[cancelled_template], cancel, t0_ms + 120'000),
             "template cancel")
            .applied;
    if (!cancelled.allowed) fail("set-up: the template cancel was denied: " + cancelled.code);
    bench.sweeper().run_due_for_tenant(bench.tenant_id, t0_ms + 21 * 60'000);
    return {read_row(bench, ids[0]), read_row(bench, ids[1]), read_row(bench, ids[2])};
}

}  // namespace

ReportSeed seed_report_orders(BenchDb& bench, std::size_t orders) {
    const Stopwatch watch;
    const auto templates = make_templates(bench);
    if (templates[delivered_template].outcome != "delivered" ||
        templates[expired_template].outcome != "not_delivered" ||
        templates[cancelled_template].outcome != "cancelled") {
        fail("set-up: the templates' outcomes are not delivered, not_delivered, cancelled");
    }
    ReportSeed seed;
    seed.orders = orders;
    seed.first_closed_ms = t0_ms + report_day_ms;
    const std::int64_t span_ms = 60 * report_day_ms;
    const UtcMs window_from = seed.first_closed_ms + 30 * report_day_ms;

    storage::Database::Lease lease(bench.db());
    soci::session& sql = lease.sql();
    OrderRow row;
    std::string id;
    soci::statement insert =
        (sql.prepare << "INSERT INTO orders (id, tenant_id, account_id, product, state, attributes, terms, "
                        "price_minor, charged_minor, captured_minor, refunded_from_escrow_minor, "
                        "refunded_from_revenue_minor, outcome, policy, is_final, version, created_at_ms, "
                        "updated_at_ms, closed_at_ms) VALUES (:id, :t, :acc, :p, :s, :attr, :terms, :price, :ch, "
                        ":cap, :rfe, :rfr, :out, :pol, :fin, :v, :cr, :up, :cl)",
         soci::use(id), soci::use(bench.tenant_id), soci::use(bench.customer_id), soci::use(row.product),
         soci::use(row.state), soci::use(row.attributes), soci::use(row.terms), soci::use(row.price),
         soci::use(row.charged), soci::use(row.captured), soci::use(row.refunded_escrow),
         soci::use(row.refunded_revenue), soci::use(row.outcome), soci::use(row.policy), soci::use(row.is_final),
         soci::use(row.version), soci::use(row.created), soci::use(row.updated), soci::use(row.closed));
    constexpr std::size_t batch = 50'000;
    for (std::size_t i = 0; i < orders; ++i) {
        if (i % batch == 0) sql << bench.db().dialect().begin_write;
        const std::uint64_t r = mix(i);
        const std::size_t country = r % report_countries;
        const std::size_t service = (r >> 16) % report_services;
        const bool delivered = ((r >> 32) % 10'000) < rate_of_10000(country, service);
        const Template t =
            delivered ? delivered_template : ((r >> 48) % 3 == 0 ? cancelled_template : expired_template);
        const OrderRow& from = templates[t];
        row = from;
        row.attributes = replaced(
            replaced(from.attributes, R"("country":"us")", std::string(R"("country":")") + countries[country] + "\""),
            R"("service":"telegram")", std::string(R"("service":")") + services[service] + "\"");
        row.closed = seed.first_closed_ms +
                     static_cast<long long>(static_cast<std::int64_t>(i) * span_ms / static_cast<std::int64_t>(orders));
        row.created = row.closed - (from.closed - from.created);
        row.updated = row.closed - (from.closed - from.updated);
        id = new_id("ord");
        insert.execute(true);

        const int d = delivered ? 1 : 0;
        for (auto* m : {&seed.country_all, &seed.service_all}) {
            auto& c = (*m)[m == &seed.country_all ? countries[country] : services[service]];
            c.orders += 1;
            c.delivered += d;
        }
        if (row.closed >= window_from) {
            seed.rows_30d += 1;
            for (auto* m : {&seed.country_30d, &seed.service_30d}) {
                auto& c = (*m)[m == &seed.country_30d ? countries[country] : services[service]];
                c.orders += 1;
                c.delivered += d;
            }
        }
        if ((i + 1) % batch == 0 || i + 1 == orders) sql << "COMMIT";
    }
    seed.seconds = watch.seconds();
    return seed;
}

}  // namespace billing::bench
