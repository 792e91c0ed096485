// billing_http_bench: purchases and cancels over HTTP, through the real billing host in-process,
// against floors measured in the same run: the same writes as raw SOCI transactions, and the
// same requests to a trivial Poco handler. One RATIO/INFO/LATENCY line per figure; see README.md.
//
//   billing_http_bench [--quick] [--audit] [--clients N] [--pairs N] [--database sqlite3|postgresql|mysql]
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "bench_env.hpp"
#include "http_bench.hpp"

namespace {

int usage(const std::string& arg) {
    std::cerr << "usage: billing_http_bench [--quick] [--audit] [--clients N] [--pairs N] "
                 "[--database sqlite3|postgresql|mysql]\n"
                 "  --quick      small counts, for a smoke run (~20 s; implies --audit)\n"
                 "  --audit      run the ledger audit over both host databases at the end\n"
                 "  --clients N  keep-alive connections, one thread each (default 4)\n"
                 "  --pairs N    purchase + cancel pairs per side over all rounds (default 6000)\n"
                 "  --database B the host's and the floor's database (default sqlite3); a server's url is\n"
                 "               read from BILLING_TEST_POSTGRESQL_URL / BILLING_TEST_MYSQL_URL\n"
                 "               (tests/db/db_servers.sh start DIR writes them to DIR/env)\n";
    return arg == "--help" ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace billing::bench;
    HttpBenchCounts counts;
    HttpBenchChecks checks;
    bool quick = false;
    std::size_t clients = 0, pairs = 0;  // 0: the mode's default
    Backend backend = Backend::sqlite3;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--audit") {
            checks.audit = true;
        } else if (arg == "--clients" && i + 1 < argc) {
            clients = std::stoul(argv[++i]);
        } else if (arg == "--pairs" && i + 1 < argc) {
            pairs = std::stoul(argv[++i]);
        } else if (arg == "--database" && i + 1 < argc) {
            backend = backend_named(argv[++i]);
        } else {
            return usage(arg);
        }
    }
    // A smoke run is also the check that the host answers every request and that both the
    // host and the floor write valid ledgers.
    checks.audit = checks.audit || quick;
    if (quick) counts = HttpBenchCounts{4, 600, 3, 5, 500, 2.0, 300};
    if (clients > 0) counts.clients = clients;
    if (pairs > 0) counts.pairs = pairs;

    const TempDir dir;
    int code = 0;
    {
        const RequestLogToFile requests(dir.path() / "requests.log");
        std::ostream out(requests.stdout_buffer());
        out << "# billing_http_bench" << (quick ? " --quick" : "") << ": billing host in-process, " << counts.clients
            << " keep-alive clients, " << describe_backend(backend, dir.path()) << '\n'
            << std::flush;
        code = run_http_bench(dir.path(), backend, counts, checks, out);
    }
    return code;
}
