// billing_report_bench: the delivery-rate report (GET /v1/reports/delivery) over a million
// closed activations, through the code the route runs (billing/server/delivery_report.hpp),
// against floors measured in the same run. See README.md.
//
//   billing_report_bench [--orders N] [--repeat R] [--database sqlite3|postgresql|mysql]
#include <algorithm>
#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include "bench_env.hpp"
#include "billing/server/delivery_report.hpp"
#include "report_seed.hpp"

namespace billing::bench {

namespace {

namespace report = server::report;

struct Range {
    const char* name;
    UtcMs from_ms, to_ms;
    std::int64_t rows;
};

// The median of runs of work() in ms.
template <class Work>
double median_ms(std::size_t repeat, Work&& work) {
    std::vector<std::int64_t> micros;
    for (std::size_t i = 0; i < repeat; ++i) {
        const Stopwatch watch;
        work();
        micros.push_back(watch.micros());
    }
    return static_cast<double>(quantile(micros, 0.5)) / 1000.0;
}

// The index range alone: how long counting the range's rows takes (no table row is read).
std::int64_t count_range(soci::session& sql, const std::string& tenant_id, const Range& range) {
    long long rows = 0;
    const long long from = range.from_ms, to = range.to_ms;
    sql << "SELECT COUNT(*) FROM orders WHERE tenant_id = :t AND product = 'activation' AND closed_at_ms >= :f "
           "AND closed_at_ms < :u",
        soci::into(rows), soci::use(tenant_id), soci::use(from), soci::use(to);
    return rows;
}

// The index range and every row's outcome (a table row read per order, no JSON).
std::int64_t count_delivered(soci::session& sql, const std::string& tenant_id, const Range& range) {
    long long delivered = 0;
    const long long from = range.from_ms, to = range.to_ms;
    sql << "SELECT SUM(CASE WHEN outcome = 'delivered' THEN 1 ELSE 0 END) FROM orders WHERE tenant_id = :t AND "
           "product = 'activation' AND closed_at_ms >= :f AND closed_at_ms < :u",
        soci::into(delivered), soci::use(tenant_id), soci::use(from), soci::use(to);
    return delivered;
}

void check_counts(const report::DeliveryCounts& counts, const std::map<std::string, ReportSeed::Counts>& expected,
                  const std::string& what) {
    if (counts.groups.size() != expected.size()) fail(what + ": " + std::to_string(counts.groups.size()) + " groups");
    for (const report::DeliveryGroup& g : counts.groups) {
        const auto found = g.key ? expected.find(*g.key) : expected.end();
        if (found == expected.end()) fail(what + ": an unexpected group");
        if (found->second.orders != g.orders || found->second.delivered != g.delivered) {
            fail(what + ": group " + *g.key + " has " + std::to_string(g.orders) + " orders, " +
                 std::to_string(g.delivered) + " delivered; expected " + std::to_string(found->second.orders) + ", " +
                 std::to_string(found->second.delivered));
        }
    }
}

void print_plan(soci::session& sql, const std::string& tenant_id, const Range& range) {
    const std::string text =
        "EXPLAIN QUERY PLAN SELECT json_extract(attributes, '$.\"country\"'), COUNT(*) FROM orders "
        "WHERE tenant_id = :t AND product = 'activation' AND closed_at_ms >= :f AND "
        "closed_at_ms < :u GROUP BY 1";
    std::string detail;
    int id = 0, parent = 0, unused = 0;
    const long long from = range.from_ms, to = range.to_ms;
    soci::statement st = (sql.prepare << text, soci::into(id), soci::into(parent), soci::into(unused),
                          soci::into(detail), soci::use(tenant_id), soci::use(from), soci::use(to));
    st.execute();
    while (st.fetch()) std::cout << "# plan: " << detail << '\n';
}

}  // namespace

}  // namespace billing::bench

int main(int argc, char** argv) {
    using namespace billing::bench;
    using billing::server::report::Grouping;
    std::size_t orders = 1'000'000;
    std::size_t repeat = 3;
    Backend backend = Backend::sqlite3;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--orders" && i + 1 < argc) {
            orders = std::stoul(argv[++i]);
        } else if (arg == "--repeat" && i + 1 < argc) {
            repeat = std::max<std::size_t>(1, std::stoul(argv[++i]));
        } else if (arg == "--database" && i + 1 < argc) {
            backend = backend_named(argv[++i]);
        } else {
            std::cerr << "usage: billing_report_bench [--orders N] [--repeat R] [--database sqlite3|postgresql|mysql]\n"
                         "  --orders N  closed activations in the data set (default 1000000), over 60 days\n"
                         "  --repeat R  runs of each figure; the median is printed (default 3)\n";
            return arg == "--help" ? 0 : 2;
        }
    }
    const TempDir dir;
    // The set-up writes with synchronous=NORMAL (a million rows); the reports only read.
    std::cout << "# billing_report_bench: " << describe_backend(backend, dir.path())
              << " (the set-up writes with synchronous=NORMAL)\n";
    const BenchDatabase database(backend, dir.path(), "report");
    BenchDb bench(database, 1'000'000, BenchDbOptions{billing::config::SqliteSynchronous::normal, 2});
    const ReportSeed seed = seed_report_orders(bench, orders);
    std::cout << "# set-up: " << seed.orders << " closed activations over 60 days, " << report_countries
              << " countries, " << report_services << " services, in " << fixed(seed.seconds, 1) << " s\n";

    const std::int64_t span_ms = 60 * report_day_ms;
    const Range ranges[] = {
        {"30d", seed.first_closed_ms + 30 * report_day_ms, seed.first_closed_ms + span_ms, seed.rows_30d},
        {"all", seed.first_closed_ms, seed.first_closed_ms + span_ms, static_cast<std::int64_t>(orders)},
    };
    billing::storage::Database::Lease lease(bench.db());
    soci::session& sql = lease.sql();
    if (database.sqlite()) print_plan(sql, bench.tenant_id, ranges[0]);

    for (const Range& range : ranges) {
        std::int64_t rows = 0, delivered = 0;
        const double index_ms = median_ms(repeat, [&] { rows = count_range(sql, bench.tenant_id, range); });
        const double lookup_ms = median_ms(repeat, [&] { delivered = count_delivered(sql, bench.tenant_id, range); });
        if (rows != range.rows) fail(std::string("range ") + range.name + " holds " + std::to_string(rows) + " rows");
        std::cout << "FLOOR name=index_range_count range=" << range.name << " rows_in_range=" << rows
                  << " ms=" << fixed(index_ms, 1) << '\n';
        std::cout << "FLOOR name=outcome_count range=" << range.name << " rows_in_range=" << rows
                  << " delivered=" << delivered << " ms=" << fixed(lookup_ms, 1) << '\n';
        for (const char* group_by : {"country", "service"}) {
            const bool thirty = std::string(range.name) == "30d";
            const bool by_country = std::string(group_by) == "country";
            const auto& expected = thirty ? (by_country ? seed.country_30d : seed.service_30d)
                                          : (by_country ? seed.country_all : seed.service_all);
            for (const Grouping grouping : {Grouping::sql, Grouping::cpp}) {
                const billing::server::report::DeliveryQuery query{
                    bench.tenant_id, {"activation"}, group_by, range.from_ms, range.to_ms};
                billing::server::report::DeliveryCounts counts;
                const double ms =
                    median_ms(repeat, [&] { counts = billing::server::report::count_delivery(sql, query, grouping); });
                const char* how = grouping == Grouping::sql ? "sql" : "cpp";
                check_counts(counts, expected, std::string(group_by) + " " + how + " " + range.name);
                const std::size_t groups = counts.groups.size();
                const auto top = billing::server::report::rank(std::move(counts.groups), 10, 20);
                std::cout << "REPORT name=delivery_report group_by=" << group_by << " grouping=" << how
                          << " range=" << range.name << " rows_in_range=" << rows
                          << " rows_scanned=" << counts.rows_scanned << " groups=" << groups << " ms=" << fixed(ms, 1)
                          << " ratio_to_outcome_floor=" << fixed(ms / lookup_ms, 2)
                          << " top1=" << top.front().key.value_or("null") << ":"
                          << billing::server::report::rate_text(top.front().delivered, top.front().orders) << '\n';
            }
        }
    }
    std::cout << "# every report above matched the counts written by the set-up exactly\n";
    return 0;
}
