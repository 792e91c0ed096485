// A child process whose stdout the test reads line by line through a pipe, and kills. The child
// is always reaped: by wait(), or by the destructor, which kills it first if it still runs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace billing::crash {

class ChildProcess {
public:
    // posix_spawn of argv[0] with stdout into a pipe and stderr inherited. Throws on failure.
    explicit ChildProcess(const std::vector<std::string>& argv);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // The next complete line (without '\n'), or nullopt when none came before the deadline or
    // the pipe reached end of file (see eof()). A partial line left at end of file is dropped:
    // the child never acknowledged it.
    std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline);
    [[nodiscard]] bool eof() const noexcept { return eof_; }

    void kill_now();  // SIGKILL; harmless if the child already exited

    // Reaps the child and returns its waitpid status; if it has not ended by the deadline it is
    // killed first. Idempotent.
    int wait(std::chrono::steady_clock::time_point deadline);

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    bool eof_ = false;
    bool reaped_ = false;
    int status_ = 0;
    std::string buffer_;
};

// "exit 0", "killed by signal 9", ...
std::string describe_status(int status);

}  // namespace billing::crash
