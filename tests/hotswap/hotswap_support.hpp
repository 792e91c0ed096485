// What the hot-swap tests share: the plugin files, the calls of /admin/plugins, /proc/<pid>/maps
// and polling until a condition holds.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/billing_api.hpp"
#include "support/host_process.hpp"
#include "support/http_client.hpp"

namespace billing::integration::hotswap {

inline const std::string v1_file = built_file(BILLING_OTPDESK_V1);
inline const std::string v2_file = built_file(BILLING_OTPDESK_V2);
inline const std::string shipped_config = BILLING_OTPDESK_CONFIG;
inline const std::string defaults_config = BILLING_OTPDESK_DEFAULTS;

// A loader fixture (named "fixture") and one of ours built with the name "otpdesk".
inline std::string loader_fixture(const std::string& name) {
    return built_file(std::string(BILLING_FIXTURE_DIR) + "/" + name + ".so");
}
inline std::string otpdesk_named_fixture(const std::string& name) {
    return built_file(std::string(BILLING_HOTSWAP_FIXTURE_DIR) + "/" + name + ".so");
}

inline std::string read_text(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::string reload_body(const std::string& file, const std::string& config = "") {
    std::string body = "{";
    if (!file.empty()) body += "\"file\":" + json_quote(file);
    if (!config.empty()) body += std::string(file.empty() ? "" : ",") + "\"config\":" + json_quote(config);
    return body + "}";
}

inline Response reload(HttpClient& http, const std::string& operator_key, const std::string& body,
                       const std::string& name = "otpdesk") {
    return http.post("/admin/plugins/" + name + "/reload", body, RequestOptions{operator_key, std::nullopt, ""});
}

// The entry of GET /admin/plugins for `name`; throws when the list has none.
inline Json plugin_status(HttpClient& http, const std::string& operator_key, const std::string& name = "otpdesk") {
    const Json list = http.get("/admin/plugins", RequestOptions{operator_key, std::nullopt, ""}).expect(200).json();
    const Json data = list["data"];
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i]["name"].str() == name) return data[i];
    }
    throw std::runtime_error("GET /admin/plugins lists no " + name + ": " + list.dump());
}

inline std::string proc_maps(pid_t pid) { return read_text("/proc/" + std::to_string(pid) + "/maps"); }

inline bool mapped(pid_t pid, const std::string& file) {
    return !file.empty() && proc_maps(pid).find(file) != std::string::npos;
}

// Polls `done` every 20 ms until it holds or `deadline` passes; returns its last answer.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    for (;;) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace billing::integration::hotswap
