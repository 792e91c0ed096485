// billing_swap_bench: p99 of purchases and cancels over HTTP while the policy plugin is
// hot-swapped every 100 ms, against p99 of the same paced load on the same host without swaps,
// in alternating rounds. One RATIO line, two LATENCY lines, INFO lines; see README.md.
//
//   billing_swap_bench [--quick] [--clients N] [--rate R] [--rounds N] [--round-seconds S]
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "bench_env.hpp"
#include "swap_bench.hpp"

namespace {

int usage(const std::string& arg) {
    std::cerr << "usage: billing_swap_bench [--quick] [--clients N] [--rate R] [--rounds N] [--round-seconds S]\n"
                 "  --quick            one round of each kind, 2 s each (~10 s in all)\n"
                 "  --clients N        keep-alive connections, one thread each (default 16)\n"
                 "  --rate R           offered requests/s (default: half the flat-out rate measured first)\n"
                 "  --rounds N         rounds of each kind, steady and swapping alternating (default 3)\n"
                 "  --round-seconds S  length of one round (default 5)\n";
    return arg == "--help" ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace billing::bench;
    SwapBenchOptions options;
    bool quick = false;
    std::size_t rounds = 0;
    double round_s = 0;  // 0: the mode's default
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--quick") {
                quick = true;
            } else if (arg == "--clients" && i + 1 < argc) {
                options.clients = std::stoul(argv[++i]);
            } else if (arg == "--rate" && i + 1 < argc) {
                options.rate = std::stod(argv[++i]);
            } else if (arg == "--rounds" && i + 1 < argc) {
                rounds = std::stoul(argv[++i]);
            } else if (arg == "--round-seconds" && i + 1 < argc) {
                round_s = std::stod(argv[++i]);
            } else {
                return usage(arg);
            }
        }
    } catch (const std::exception&) {
        return usage("");
    }
    if (quick) {
        options.rounds = 1;
        options.round_s = 2;
        options.probe_s = 1.5;
    }
    if (rounds > 0) options.rounds = rounds;
    if (round_s > 0) options.round_s = round_s;
    if (options.clients == 0) return usage("");

    const TempDir dir;
    int code = 0;
    {
        const RequestLogToFile requests(dir.path() / "requests.log");
        std::ostream out(requests.stdout_buffer());
        out << "# billing_swap_bench" << (quick ? " --quick" : "") << ": billing host in-process, " << options.clients
            << " keep-alive clients, SQLite WAL in " << dir.path().string() << '\n'
            << std::flush;
        code = run_swap_bench(dir.path(), options, out);
    }
    return code;
}
