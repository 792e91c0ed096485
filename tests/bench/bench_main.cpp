// billing_engine_bench: the engine against raw SOCI floors measured in the same run, on SQLite
// file databases (WAL, synchronous=FULL) in a temp dir, or (the refund figure) on fresh databases
// of a PostgreSQL or MariaDB/MySQL server. One RATIO line per figure; see README.md.
//
//   billing_engine_bench [--quick] [--audit] [--only purchase|refund] [--purchases N] [--orders N]
//                        [--database sqlite3|postgresql|mysql]
#include <algorithm>
#include <cstddef>
#include <iostream>
#include <string>

#include "bench_env.hpp"
#include "purchase_bench.hpp"
#include "refund_bench.hpp"

int main(int argc, char** argv) {
    using namespace billing::bench;
    bool quick = false;
    bool audit = false;
    std::string only;
    Backend backend = Backend::sqlite3;
    std::size_t purchases = 0, orders = 0;  // 0: the mode's default
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--audit") {
            audit = true;
        } else if (arg == "--only" && i + 1 < argc) {
            only = argv[++i];
        } else if (arg == "--purchases" && i + 1 < argc) {
            purchases = std::stoul(argv[++i]);
        } else if (arg == "--orders" && i + 1 < argc) {
            orders = std::stoul(argv[++i]);
        } else if (arg == "--database" && i + 1 < argc) {
            backend = backend_named(argv[++i]);
        } else {
            std::cerr
                << "usage: billing_engine_bench [--quick] [--audit] [--only purchase|refund] [--purchases N] "
                   "[--orders N] [--database sqlite3|postgresql|mysql]\n"
                   "  --quick  small counts, for a smoke run (implies --audit)\n"
                   "  --audit  run the ledger audit over every database after its writes\n"
                   "  --purchases N, --orders N  override the counts of figure 1 and figure 2\n"
                   "  --database B  where figure 2 runs (default sqlite3); a server's url is read from\n"
                   "                BILLING_TEST_POSTGRESQL_URL / BILLING_TEST_MYSQL_URL (tests/db/db_servers.sh)\n";
            return arg == "--help" ? 0 : 2;
        }
    }
    // A smoke run is also the check that the floors and the fast set-up write valid ledgers.
    audit = audit || quick;

    PurchaseCounts purchase;
    RefundCounts refund;
    if (quick) {
        purchase = PurchaseCounts{500, 5, 50};
        refund = RefundCounts{5'000, 500, 2'000};
    }
    if (purchases > 0) purchase.purchases = std::max(purchases, purchase.rounds);
    if (orders > 0) {
        refund.orders = orders;
        refund.sync_normal_orders = std::min(refund.sync_normal_orders, orders);
    }
    const TempDir dir;
    std::cout << "# billing_engine_bench" << (quick ? " --quick" : "") << ": " << describe_backend(backend, dir.path())
              << '\n'
              << std::flush;
    otpdesk();
    if (only.empty() || only == "purchase") {
        // Its second thread and its commit cap are about SQLite's one writer; on a server, the
        // purchases are billing_http_bench's figure, with 4 connections on each side.
        if (backend == Backend::sqlite3) {
            run_purchase_bench(dir.path(), purchase, audit);
        } else {
            std::cout << "# skipped on a server: purchase_vs_raw_tx (SQLite only; see billing_http_bench --database)\n";
        }
    }
    std::cout << std::flush;
    if (only.empty() || only == "refund") run_refund_bench(dir.path(), backend, refund, audit);
    return 0;
}
