// One real billing-host per test suite (the integration harness's HostProcess), started with the
// [server] keys the suite needs (small limits and timeouts, so that no test waits long), and
// the checks around every test: the host still answers GET /livez after it, and at the suite's
// end SIGTERM gives exit 0 and the offline audit is clean.
//
// The harness writes [server] itself and takes no more keys for it (a second [server] table is
// not TOML), so a suite with keys of its own starts the host once with the harness's config,
// stops it, adds the keys to that [server] table and starts it again on the same dir: the
// database, the operator key and the demo tenant's keys stay. A host that refuses the config
// (a key its config does not know yet) fails every test of the suite with its message.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "raw_client.hpp"
#include "support/host_process.hpp"

namespace billing::hostile {

using ServerKeys = std::vector<std::pair<std::string, std::string>>;

class HostileTest : public ::testing::Test {
public:
    static void TearDownTestSuite();

protected:
    // For a suite's SetUpTestSuite: starts the suite's host with these [server] keys added to
    // the harness's (which options set: keep_alive_timeout_s, threads_max, ...).
    static void start_host(const ServerKeys& keys, const integration::HostOptions& options = {});

    void SetUp() override;
    void TearDown() override;

    static integration::HostProcess& host() { return *host_; }
    static std::uint16_t port() { return host_->port(); }
    static const std::string& service_key() { return host_->demo().service_key; }

    // A new connection to the host, from source_address when given ("127.0.0.9").
    static std::unique_ptr<RawConnection> connect(const std::string& source_address = "");
    // A whole request sent on a new connection, and the first answer to it.
    static RawResponse exchange(RawConnection& connection, std::string_view request);

private:
    static std::unique_ptr<integration::HostProcess> host_;
    static std::string start_error_;
};

// "Authorization: Bearer <key>\r\n"
std::string bearer(const std::string& key);

// A POST with a JSON body framed by Content-Length (extra_fields end in CRLF each).
std::string post_request(std::string_view target, std::string_view body, std::string_view extra_fields = "");

}  // namespace billing::hostile
