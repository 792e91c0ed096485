#include "boundary_support.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "billing/http/problem.hpp"

namespace billing::integration::boundaries {

namespace {

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

::testing::AssertionResult is_problem(const Response& response, int status, const std::string& code) {
    auto failure = [&response](const std::string& what) {
        return ::testing::AssertionFailure() << what << "\n  in " << response.describe();
    };
    if (response.status != status)
        return failure("status " + std::to_string(response.status) + ", not " + std::to_string(status));
    if (response.header("content-type") != http::problem_content_type) {
        return failure("Content-Type \"" + response.header("content-type") + "\", not application/problem+json");
    }
    try {
        const Json body = response.json();
        if (!body.is_object()) return failure("the body is not a JSON object");
        for (const char* member : {"type", "title", "status", "detail", "code"}) {
            if (!body.has(member)) return failure(std::string("the problem has no ") + member);
        }
        if (body["code"].str() != code) return failure("code " + body["code"].str() + ", not " + code);
        if (body["type"].str() != http::problem_type_uri(code)) return failure("type " + body["type"].str());
        if (body["title"].str().empty()) return failure("an empty title");
        if (body["status"].i64() != status) return failure("member status " + body["status"].dump());
        (void)body["detail"].str();  // a string, possibly empty
    } catch (const std::exception& e) {
        return failure(e.what());
    }
    return ::testing::AssertionSuccess();
}

namespace {

std::string request_text(std::uint16_t port, const RawRequest& raw) {
    std::string text = raw.method + " " + raw.target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                       "\r\nConnection: close\r\n";
    for (const auto& [name, value] : raw.headers) text += name + ": " + value + "\r\n";
    if (raw.body && raw.chunked) text += "Transfer-Encoding: chunked\r\n";
    if (raw.body && !raw.chunked && raw.declare_length) {
        text += "Content-Length: " + std::to_string(raw.body->size()) + "\r\n";
    }
    text += "\r\n";
    if (raw.body && raw.chunked) {
        // Chunks of 16 KiB, as a client streaming its body would send them.
        constexpr std::size_t chunk_bytes = 16 * 1024;
        for (std::size_t at = 0; at < raw.body->size(); at += chunk_bytes) {
            const std::string chunk = raw.body->substr(at, chunk_bytes);
            char size[32];
            std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
            text += size + chunk + "\r\n";
        }
        text += "0\r\n\r\n";
    } else if (raw.body) {
        text += *raw.body;
    }
    return text;
}

}  // namespace

Response send_raw(std::uint16_t port, const RawRequest& raw) {
    Response response;
    response.method = raw.method;
    response.target = raw.target;
    const std::string text = request_text(port, raw);
    try {
        Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
        socket.setReceiveTimeout(Poco::Timespan(raw.timeout_s, 0));
        socket.setSendTimeout(Poco::Timespan(raw.timeout_s, 0));
        try {
            for (std::size_t sent = 0; sent < text.size();) {
                sent += static_cast<std::size_t>(socket.sendBytes(
                    text.data() + sent, static_cast<int>(std::min<std::size_t>(text.size() - sent, 8192))));
            }
        } catch (const Poco::Exception&) {
            // The host may answer and close before it has read all of a body it refuses (a
            // 413): its answer is still there to read, as curl would read it.
        }
        Poco::Net::SocketStream in(socket);
        Poco::Net::HTTPResponse answer;
        answer.read(in);
        response.status = static_cast<int>(answer.getStatus());
        for (const auto& [name, value] : answer) response.headers[lower(name)] = value;
        if (answer.hasContentLength()) {
            response.body.resize(static_cast<std::size_t>(answer.getContentLength64()));
            in.read(response.body.data(), static_cast<std::streamsize>(response.body.size()));
            response.body.resize(static_cast<std::size_t>(in.gcount()));
        } else {
            std::ostringstream body;
            Poco::StreamCopier::copyStream(in, body);
            response.body = body.str();
        }
    } catch (const Poco::Exception& e) {
        throw std::runtime_error(raw.method + " " + raw.target.substr(0, 200) + ": no answer: " + e.displayText());
    }
    return response;
}

std::vector<const http::RouteSpec*> served_routes() { return http::Router(server::api_routes()).routes(); }

std::string concrete_path(const http::RouteSpec& route, const std::string& value) {
    std::string path(route.path);
    for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + value.size())) {
        path.replace(open, path.find('}', open) - open + 1, value);
    }
    return path;
}

std::string route_label(const http::RouteSpec& route) {
    return std::string(http::method_name(route.method)) + " " + std::string(route.path);
}

std::string snapshot(TenantApi& tenant, const TenantData& data) {
    std::string out;
    auto add = [&out](const Response& r) {
        out += r.method + " " + r.target + " -> " + std::to_string(r.status) + "\n" + r.body + "\n";
    };
    for (const std::string& account : data.accounts) {
        add(tenant.account(account));
        add(tenant.transfers(account));
    }
    for (const std::string& order : data.orders) {
        add(tenant.order(order));
        add(tenant.events(order));
    }
    for (const std::string& dispute : data.disputes) add(tenant.dispute(dispute));
    add(tenant.orders("limit=100"));
    add(tenant.disputes("limit=100"));
    add(tenant.http().get("/v1/accounts?limit=100", RequestOptions{tenant.keys().service, std::nullopt, ""}));
    return out;
}

std::string first_found(const std::string& haystack, const std::vector<std::string>& needles) {
    for (const std::string& needle : needles) {
        if (!needle.empty() && haystack.find(needle) != std::string::npos) return needle;
    }
    return {};
}

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

}  // namespace billing::integration::boundaries
