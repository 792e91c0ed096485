// billing-plugin-conformance --plugin X.so --config Y.toml [--declaration D.toml] [--seed N] [--orders M]
//
// Loads the plugin through the host's loader and runs the whole conformance kit on it. Exit 0:
// every check passed (checks that could not run are listed as SKIPPED); 1: a check failed, or
// the plugin crashed the process; 2: usage, or a plugin the host would not even load.
//
// The checks run in a child process: a plugin that crashes (a segfault, an abort) cannot take
// the report with it. The parent says which check was running and how to replay it.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>

#include "billing/conformance/load_plugin.hpp"

namespace {

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

void usage() {
    std::cerr << "usage: billing-plugin-conformance --plugin X.so --config Y.toml [--declaration D.toml]\n"
                 "                                  [--seed N] [--orders M]\n"
                 "  --declaration  sample purchases, other configurations and the plugin's properties\n"
                 "                 (see sdk/README.md); without it, purchases are derived from info()\n"
                 "                 and the terms_pinned check is skipped\n"
                 "  --seed         the simulation's seed (default: a fresh one, printed); replays a run\n"
                 "  --orders       order lives in the simulation (default 2000)\n";
}

bool parse_number(const char* text, std::uint64_t& out) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') return false;
    out = value;
    return true;
}

// The child: runs the kit, writing each check's name to `progress_fd` as it starts.
int run_checks(const billing::conformance::Subject& subject, const billing::conformance::Options& options,
               int progress_fd) {
    const auto report = billing::conformance::run_all(subject, options, [progress_fd](const std::string& check) {
        const std::string line = check + "\n";
        [[maybe_unused]] const ssize_t written = ::write(progress_fd, line.data(), line.size());
    });
    std::cout << report.text() << std::flush;
    return report.passed() ? 0 : exit_failed;
}

}  // namespace

int main(int argc, char** argv) {
    billing::conformance::PluginFiles files;
    billing::conformance::Options options;
    bool seeded = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--help" || arg == "-h") {
            usage();
            return 0;
        }
        if (!has_value) {
            std::cerr << "billing-plugin-conformance: " << arg << " needs a value\n";
            usage();
            return exit_usage;
        }
        const char* value = argv[++i];
        std::uint64_t number = 0;
        if (arg == "--plugin") {
            files.plugin = value;
        } else if (arg == "--config") {
            files.config = value;
        } else if (arg == "--declaration") {
            files.declaration = value;
        } else if (arg == "--seed" && parse_number(value, number)) {
            options.seed = number;
            seeded = true;
        } else if (arg == "--orders" && parse_number(value, number) && number > 0 && number <= 10'000'000) {
            options.orders = static_cast<std::int64_t>(number);
        } else {
            std::cerr << "billing-plugin-conformance: bad argument " << arg << " " << value << "\n";
            usage();
            return exit_usage;
        }
    }
    if (files.plugin.empty() || files.config.empty()) {
        usage();
        return exit_usage;
    }
    if (!seeded) {
        std::random_device entropy;
        options.seed = (std::uint64_t{entropy()} << 32) | entropy();
    }

    auto subject = billing::conformance::load_subject(files);
    if (!subject) {
        std::cerr << "billing-plugin-conformance: " << subject.error().code << ": " << subject.error().message << "\n";
        return exit_usage;
    }
    const std::string replay = "replay: billing-plugin-conformance --plugin " + files.plugin.string() + " --config " +
                               files.config.string() +
                               (files.declaration ? " --declaration " + files.declaration->string() : "") +
                               " --seed " + std::to_string(options.seed) + " --orders " +
                               std::to_string(options.orders);
    std::cout << "conformance of " << subject.value().label << ", seed " << options.seed << "\n" << std::flush;

    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
        std::perror("billing-plugin-conformance: pipe");
        return exit_usage;
    }
    const pid_t child = ::fork();
    if (child < 0) {
        std::perror("billing-plugin-conformance: fork");
        return exit_usage;
    }
    if (child == 0) {
        ::close(pipe_fds[0]);
        const int rc = run_checks(subject.value(), options, pipe_fds[1]);
        std::cout.flush();
        ::_exit(rc);
    }
    ::close(pipe_fds[1]);
    std::string progress;
    char buffer[256];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        progress.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
        // The last complete line is the check that was running.
        std::string check = "loading";
        if (!progress.empty()) {
            const std::size_t end = progress.find_last_of('\n');
            const std::size_t start = progress.find_last_of('\n', end == 0 ? 0 : end - 1);
            check = progress.substr(start == std::string::npos ? 0 : start + 1,
                                    end - (start == std::string::npos ? 0 : start + 1));
        }
        const int signal = WTERMSIG(status);
        std::cout << "FAIL [" << check << "] crashed: the plugin killed the process with signal " << signal << " ("
                  << ::strsignal(signal) << ")\n"
                  << replay << "\n";
        return exit_failed;
    }
    const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : exit_failed;
    if (rc != 0) std::cout << replay << "\n";
    return rc;
}
