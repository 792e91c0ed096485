#include "slow_crowd.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace billing::hostile {

namespace {

// A head that never ends: a request line, a Host, then one field whose value grows a byte at a
// time. At one byte a second it stays far below any head size limit for minutes.
const std::string& endless_head() {
    static const std::string head = "GET /livez HTTP/1.1\r\nHost: hostile\r\nX-Slow: " + std::string(100'000, 'a');
    return head;
}

}  // namespace

std::string crowd_address(std::size_t n, std::size_t per_address) {
    const std::size_t host = 2 + n / std::max<std::size_t>(per_address, 1);
    return "127.0." + std::to_string(host / 250) + "." + std::to_string(host % 250 + (host / 250 > 0 ? 1 : 0));
}

SlowCrowd::SlowCrowd(std::uint16_t port, std::size_t count, std::size_t per_address, milliseconds byte_interval)
    : port_(port), byte_interval_(byte_interval) {
    slots_.resize(count);
    for (std::size_t i = 0; i < count; ++i) slots_[i].address = crowd_address(i, per_address);
}

SlowCrowd::~SlowCrowd() { stop(); }

void SlowCrowd::start() {
    for (Slot& slot : slots_) slot.connection = std::make_unique<RawConnection>(port_, slot.address);
    running_ = true;
    thread_ = std::thread([this] { run(); });
}

void SlowCrowd::stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
    for (Slot& slot : slots_) slot.connection.reset();
}

std::string SlowCrowd::first_answer() const { return running_.load() ? std::string() : first_answer_; }

void SlowCrowd::serve(Slot& slot) {
    const bool answered = slot.connection && (slot.connection->closed_now() || !slot.connection->buffered().empty());
    if (slot.connection && answered && first_answer_.empty())
        first_answer_ = slot.connection->buffered().substr(0, 300);
    if (!slot.connection || answered) {
        slot.connection.reset();
        slot.sent = 0;
        ++replaced_;
        try {
            slot.connection = std::make_unique<RawConnection>(port_, slot.address);
        } catch (const std::exception&) {
            return;  // tried again at the slot's next turn
        }
    }
    const std::string& head = endless_head();
    if (slot.connection->send(std::string_view(head).substr(slot.sent % head.size(), 1))) {
        ++slot.sent;
        ++bytes_sent_;
    } else {
        slot.connection.reset();
    }
}

void SlowCrowd::run() {
    // Each slot gets one byte per byte_interval: the slots take turns, evenly spaced.
    const auto tick =
        std::chrono::duration_cast<Clock::duration>(byte_interval_) / std::max<std::size_t>(slots_.size(), 1);
    auto next = Clock::now();
    std::size_t turn = 0;
    while (running_.load()) {
        serve(slots_[turn]);
        turn = (turn + 1) % slots_.size();
        next += tick;
        std::this_thread::sleep_until(next);
        if (Clock::now() - next > byte_interval_) next = Clock::now();  // fell behind: do not burst
    }
}

TrafficResult run_normal_traffic(std::uint16_t port, const std::string& request, milliseconds duration,
                                 milliseconds pace, milliseconds timeout) {
    TrafficResult result;
    std::unique_ptr<RawConnection> connection;
    const auto start = Clock::now();
    for (auto due = start; due - start < duration; due += pace) {
        std::this_thread::sleep_until(due);
        std::string error;
        try {
            if (!connection || connection->closed_now()) connection = std::make_unique<RawConnection>(port);
            connection->send(request);
            const RawResponse answer = connection->read_response(timeout);
            if (answer.status != 200) error = answer.describe();
            if (answer.end != ReadEnd::answer || answer.header("Connection").value_or("") == "close")
                connection.reset();
        } catch (const std::exception& e) {
            error = e.what();
            connection.reset();
        }
        const double took_ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
        result.latencies_ms.push_back(took_ms);
        result.max_ms = std::max(result.max_ms, took_ms);
        if (!error.empty()) {
            if (result.errors++ == 0) result.first_error = error;
        }
        if (Clock::now() > due + pace) due = Clock::now() - pace;  // behind schedule: no catch-up burst
    }
    return result;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace billing::hostile
