#include "billing/http/api_keys.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <array>
#include <random>

namespace billing::http {

namespace {

constexpr std::string_view alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr unsigned accept_below = 252;  // 36 * 7: bytes at or above it are dropped, for no bias
constexpr std::size_t digest_hex_chars = 64;

constexpr std::array<std::pair<Role, std::string_view>, 4> tags{{
    {Role::service, "svc"},
    {Role::support, "sup"},
    {Role::admin, "adm"},
    {Role::host_operator, "opr"},
}};

std::string_view tag_of(Role role) {
    return std::find_if(tags.begin(), tags.end(), [role](const auto& t) { return t.first == role; })->second;
}

bool key_char(char c) { return alphabet.find(c) != std::string_view::npos; }

// count characters of alphabet, each from one unbiased byte of the kernel's CSPRNG.
std::string random_chars(std::random_device& device, std::size_t count) {
    std::string out;
    while (out.size() < count) {
        unsigned bits = device();
        for (int byte = 0; byte < 4 && out.size() < count; ++byte, bits >>= 8U) {
            const unsigned b = bits & 0xFFU;
            if (b < accept_below) {
                out += alphabet[b % alphabet.size()];
            }
        }
    }
    return out;
}

}  // namespace

Result<NewApiKey> generate_api_key(Role role) {
    try {
        std::random_device device("/dev/urandom");
        NewApiKey made;
        made.role = role;
        made.prefix = random_chars(device, api_key_prefix_chars);
        made.key =
            "bk_" + std::string(tag_of(role)) + "_" + made.prefix + "_" + random_chars(device, api_key_secret_chars);
        made.digest_hex = api_key_digest_hex(made.key);
        return made;
    } catch (const std::exception& e) {
        return Error{"entropy_unavailable", std::string("cannot read /dev/urandom: ") + e.what()};
    }
}

std::optional<ApiKeyParts> parse_api_key(std::string_view key) {
    if (key.size() != api_key_chars || key.substr(0, 3) != "bk_" || key[6] != '_' ||
        key[7 + api_key_prefix_chars] != '_') {
        return std::nullopt;
    }
    const auto tag =
        std::find_if(tags.begin(), tags.end(), [key](const auto& t) { return t.second == key.substr(3, 3); });
    const std::string_view prefix = key.substr(7, api_key_prefix_chars);
    const std::string_view secret = key.substr(8 + api_key_prefix_chars);
    if (tag == tags.end() || !std::all_of(prefix.begin(), prefix.end(), key_char) ||
        !std::all_of(secret.begin(), secret.end(), key_char)) {
        return std::nullopt;
    }
    return ApiKeyParts{tag->first, std::string(prefix)};
}

std::string api_key_digest_hex(std::string_view key) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(key.data(), static_cast<unsigned>(key.size()));
    return Poco::DigestEngine::digestToHex(engine.digest());
}

bool api_key_matches(std::string_view key, std::string_view stored_digest_hex) {
    if (stored_digest_hex.size() != digest_hex_chars) {
        return false;
    }
    Poco::DigestEngine::Digest stored;
    try {
        stored = Poco::DigestEngine::digestFromHex(std::string(stored_digest_hex));
    } catch (const Poco::Exception&) {
        return false;
    }
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(key.data(), static_cast<unsigned>(key.size()));
    return Poco::DigestEngine::constantTimeEquals(engine.digest(), stored);
}

std::string redact_api_key(std::string_view key) {
    if (!parse_api_key(key)) {
        return "(malformed key)";
    }
    return std::string(key.substr(0, 8 + api_key_prefix_chars)) + "***";
}

}  // namespace billing::http
