#include "hostile_fixture.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "problem_checks.hpp"
#include "support/host_test.hpp"

namespace billing::hostile {

std::unique_ptr<integration::HostProcess> HostileTest::host_;
std::string HostileTest::start_error_;

namespace {

// billing.toml with the keys added at the top of its [server] table.
void add_server_keys(const std::filesystem::path& file, const ServerKeys& keys) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string table = "[server]\n";
    const auto at = config.find(table);
    if (at == std::string::npos) throw std::runtime_error("no [server] table in " + file.string());
    std::string lines;
    for (const auto& [name, value] : keys) lines += name + " = " + value + "\n";
    config.insert(at + table.size(), lines);
    std::ofstream out(file, std::ios::trunc);
    out << config;
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

void HostileTest::start_host(const ServerKeys& keys, const integration::HostOptions& options) {
    start_error_.clear();
    try {
        auto host = integration::HostProcess::start(options);
        if (!keys.empty()) {
            const std::string stopped = host->stop();
            if (stopped != "exit 0") throw std::runtime_error("the first start ended with " + stopped);
            add_server_keys(host->config_file(), keys);
            host->restart();
        }
        host_ = std::move(host);
    } catch (const std::exception& e) {
        std::string names;
        for (const auto& key : keys) names += " " + key.first;
        start_error_ = std::string("the host did not start with [server]") + names + ": " + e.what();
    }
}

void HostileTest::TearDownTestSuite() {
    if (host_) integration::expect_clean_stop_and_audit(*host_);
    host_.reset();
}

void HostileTest::SetUp() {
    // Failing here, not in SetUpTestSuite: a failure there reports the tests as skipped.
    ASSERT_TRUE(host_) << start_error_;
}

void HostileTest::TearDown() {
    if (!host_) return;
    // Whatever a test sent, the host is still up and answers. A test's connections closed just
    // now may still count against a connection cap for a moment: a refusal is retried briefly.
    RawResponse answer;
    for (int attempt = 0; attempt < 10; ++attempt) {
        RawConnection probe(port());
        answer = exchange(probe, get_request("/livez"));
        if (answer.status == 200 || (answer.status != 429 && answer.status != 503)) break;
        std::this_thread::sleep_for(milliseconds(200));
    }
    EXPECT_EQ(answer.status, 200) << "the host no longer answers after the test: " << answer.describe() << "\nstderr:\n"
                                  << host_->stderr_text();
}

std::unique_ptr<RawConnection> HostileTest::connect(const std::string& source_address) {
    return std::make_unique<RawConnection>(port(), source_address);
}

RawResponse HostileTest::exchange(RawConnection& connection, std::string_view request) {
    connection.send(request);
    return connection.read_response(answer_timeout);
}

std::string bearer(const std::string& key) { return "Authorization: Bearer " + key + "\r\n"; }

std::string post_request(std::string_view target, std::string_view body, std::string_view extra_fields) {
    std::string request = "POST ";
    request.append(target)
        .append(" HTTP/1.1\r\nHost: hostile\r\nContent-Type: application/json\r\nContent-Length: ")
        .append(std::to_string(body.size()))
        .append("\r\n")
        .append(extra_fields)
        .append("\r\n")
        .append(body);
    return request;
}

}  // namespace billing::hostile
