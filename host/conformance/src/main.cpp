// billing-plugin-conformance --plugin X.so --config Y.toml [--declaration D.toml] [--seed N]
//                            [--orders M] [--check-timeout-s S]
//
// Loads the plugin through the host's loader and runs the whole conformance kit on it. Exit 0:
// every check passed (checks that could not run are listed as SKIPPED); 1: a check failed, the
// plugin crashed the process or a check ran out of time; 2: usage, or a plugin the host would
// not even load; 3: the kit itself failed.
//
// Loading and the checks run in a child process: a plugin that crashes (a segfault, an abort)
// or hangs cannot take the report with it. The parent says which check was running and how to
// replay it.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
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
constexpr int exit_kit_error = 3;

void usage() {
    std::cerr << "usage: billing-plugin-conformance --plugin X.so --config Y.toml [--declaration D.toml]\n"
                 "                                  [--seed N] [--orders M] [--check-timeout-s S]\n"
                 "  --declaration      sample purchases, other configurations and the plugin's properties\n"
                 "                     (see sdk/README.md); without it, purchases are derived from info()\n"
                 "                     and the terms_pinned check is skipped\n"
                 "  --seed             the simulation's seed (default: a fresh one, printed); replays a run\n"
                 "  --orders           order lives in the simulation (default 2000)\n"
                 "  --check-timeout-s  seconds a check may run without progress before the plugin is\n"
                 "                     taken to hang (default 300)\n";
}

bool parse_number(const char* text, std::uint64_t& out) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') return false;
    out = value;
    return true;
}

// One progress line (a check's name) for the parent.
void tell(int fd, const std::string& check) {
    const std::string line = check + "\n";
    [[maybe_unused]] const ssize_t written = ::write(fd, line.data(), line.size());
}

// The child: loads the plugin (its factory, info() and configure() run here too, so a crash in
// them is reported like any other) and runs the kit, telling the parent each check it starts.
int run_child(const billing::conformance::PluginFiles& files, const billing::conformance::Options& options,
              int progress_fd) {
    tell(progress_fd, "loading");
    auto subject = billing::conformance::load_subject(files);
    if (!subject) {
        std::cerr << "billing-plugin-conformance: " << subject.error().code << ": " << subject.error().message << "\n";
        return exit_usage;
    }
    std::cout << "conformance of " << subject.value().label << ", seed " << options.seed << "\n" << std::flush;
    try {
        const auto report = billing::conformance::run_all(
            subject.value(), options, [progress_fd](const std::string& check) { tell(progress_fd, check); });
        std::cout << report.text() << std::flush;
        return report.passed() ? 0 : exit_failed;
    } catch (const std::exception& e) {
        // Not the plugin's fault as far as anyone can tell: say so rather than blame it.
        std::cout << "ERROR the conformance kit itself failed: " << e.what() << "\n" << std::flush;
        return exit_kit_error;
    }
}

// The last complete line the child wrote: the check that was running.
std::string last_check(const std::string& progress) {
    const std::size_t end = progress.find_last_of('\n');
    if (end == std::string::npos) return "starting";
    const std::size_t start = end == 0 ? std::string::npos : progress.find_last_of('\n', end - 1);
    const std::size_t from = start == std::string::npos ? 0 : start + 1;
    return progress.substr(from, end - from);
}

// The signal's description. glibc's sigdescr_np, unlike strsignal, writes to no shared buffer.
std::string signal_description(int signal) {
    const char* description = ::sigdescr_np(signal);
    return description != nullptr ? description : "an unknown signal";
}

}  // namespace

int main(int argc, char** argv) {
    billing::conformance::PluginFiles files;
    billing::conformance::Options options;
    bool seeded = false;
    int check_timeout_s = 300;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            usage();
            return 0;
        }
        if (i + 1 >= argc) {
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
        } else if (arg == "--check-timeout-s" && parse_number(value, number) && number > 0 && number <= 86'400) {
            check_timeout_s = static_cast<int>(number);
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
    const std::string replay = "replay: billing-plugin-conformance --plugin " + files.plugin.string() + " --config " +
                               files.config.string() +
                               (files.declaration ? " --declaration " + files.declaration->string() : "") + " --seed " +
                               std::to_string(options.seed) + " --orders " + std::to_string(options.orders);
    std::cout << std::flush;

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
        const int rc = run_child(files, options, pipe_fds[1]);
        std::cout.flush();
        std::cerr.flush();
        ::_exit(rc);
    }
    ::close(pipe_fds[1]);

    // Progress lines until the child closes its end; a check that says nothing for
    // check_timeout_s is taken to hang.
    std::string progress;
    bool timed_out = false;
    for (;;) {
        pollfd watch{pipe_fds[0], POLLIN, 0};
        const int ready = ::poll(&watch, 1, check_timeout_s * 1000);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) {
            timed_out = true;
            ::kill(child, SIGKILL);
            break;
        }
        char buffer[256];
        const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        progress.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        std::cout << "FAIL [" << last_check(progress) << "] timed_out: no progress for " << check_timeout_s
                  << " s: the plugin hangs\n"
                  << replay << "\n";
        return exit_failed;
    }
    if (WIFSIGNALED(status)) {
        const int signal = WTERMSIG(status);
        std::cout << "FAIL [" << last_check(progress) << "] crashed: the plugin killed the process with signal "
                  << signal << " (" << signal_description(signal) << ")\n"
                  << replay << "\n";
        return exit_failed;
    }
    const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : exit_failed;
    if (rc == exit_failed) std::cout << replay << "\n";
    return rc;
}
