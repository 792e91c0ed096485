// billing_http_bench: purchases and cancels over HTTP, through the real billing host in-process,
// at 1, 4, 16 and 32 clients, against floors measured in the same run: the same writes as raw
// SOCI transactions (one per request, and in batches of the host's size), and the same requests
// to a trivial Poco handler. One RATIO/INFO/LATENCY line per figure; see README.md.
//
//   billing_http_bench [--quick] [--audit] [--sweep | --clients N[,N...]] [--pairs N]
//                      [--database sqlite3|postgresql|mysql]
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "bench_env.hpp"
#include "http_bench.hpp"

namespace {

int usage(const std::string& arg) {
    std::cerr << "usage: billing_http_bench [--quick] [--audit] [--sweep | --clients N[,N...]] [--pairs N] "
                 "[--database sqlite3|postgresql|mysql]\n"
                 "  --quick      small counts, for a smoke run (~30 s; implies --audit)\n"
                 "  --audit      run the ledger audit over both host databases at the end\n"
                 "  --sweep      measure at 1, 4, 16 and 32 clients, one count after the other (the default)\n"
                 "  --clients L  only these client counts (keep-alive connections, one thread each), e.g. 16\n"
                 "               or 1,32; at most 32, the host's worker threads\n"
                 "  --pairs N    purchase + cancel pairs per side and count over all rounds (default 3000)\n"
                 "  --database B the host's and the floors' database (default sqlite3); a server's url is\n"
                 "               read from BILLING_TEST_POSTGRESQL_URL / BILLING_TEST_MYSQL_URL\n"
                 "               (tests/db/db_servers.sh start DIR writes them to DIR/env)\n";
    return arg == "--help" ? 0 : 2;
}

// "16" or "1,4,32"; empty when the list is malformed or a count is out of 1..32.
std::vector<std::size_t> client_counts(const std::string& text) {
    std::vector<std::size_t> counts;
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        std::size_t used = 0;
        std::size_t n = 0;
        try {
            n = std::stoul(item, &used);
        } catch (const std::exception&) {
            return {};
        }
        if (used != item.size() || n < 1 || n > 32) return {};
        counts.push_back(n);
    }
    return counts;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace billing::bench;
    HttpBenchCounts counts;
    HttpBenchChecks checks;
    bool quick = false;
    std::vector<std::size_t> clients;  // empty: the sweep
    std::size_t pairs = 0;             // 0: the mode's default
    Backend backend = Backend::sqlite3;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--audit") {
            checks.audit = true;
        } else if (arg == "--sweep") {
            clients.clear();
        } else if (arg == "--clients" && i + 1 < argc) {
            clients = client_counts(argv[++i]);
            if (clients.empty()) return usage(arg);
        } else if (arg == "--pairs" && i + 1 < argc) {
            pairs = std::stoul(argv[++i]);
        } else if (arg == "--database" && i + 1 < argc) {
            backend = backend_named(argv[++i]);
        } else {
            return usage(arg);
        }
    }
    // A smoke run is also the check that the host answers every request and that the host and
    // the floors write valid ledgers.
    checks.audit = checks.audit || quick;
    if (quick) {
        counts.pairs = 160;
        counts.rounds = 2;
        counts.warmup_pairs = 3;
        counts.trivial_pairs = 400;
        counts.paced_s = 1.0;
        counts.commit_cap_transactions = 200;
    }
    if (!clients.empty()) counts.client_counts = clients;
    if (pairs > 0) counts.pairs = pairs;

    const TempDir dir;
    int code = 0;
    {
        const RequestLogToFile requests(dir.path() / "requests.log");
        std::ostream out(requests.stdout_buffer());
        out << "# billing_http_bench" << (quick ? " --quick" : "") << ": billing host in-process, clients";
        for (const std::size_t n : counts.client_counts) out << ' ' << n;
        out << " (keep-alive, one thread each), " << describe_backend(backend, dir.path()) << '\n' << std::flush;
        code = run_http_bench(dir.path(), backend, counts, checks, out);
    }
    return code;
}
