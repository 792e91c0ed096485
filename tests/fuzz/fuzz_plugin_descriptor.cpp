// The plugin loader's identity checks (check_descriptor) on descriptors with arbitrary fields:
// ABI versions, build key, name, version, and create/destroy present or not. The answer must be
// the one the rules give, in their order (ABI major, ABI minor, build key, the rest), every
// refusal names the file and both sides, and nothing is called. While the first three fields
// do not pass, name and version are poisoned for AddressSanitizer: a check that read them (a
// plugin of another ABI major may have anything there) is reported as a bad read.
#include <fuzzer/FuzzedDataProvider.h>
#include <sanitizer/asan_interface.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "billing/plugin/loader.hpp"
#include "fuzz_check.hpp"

namespace {

namespace sdk = billing::sdk;
using billing::plugin::check_descriptor;
namespace load_error = billing::plugin::load_error;

// Calling anything in the plugin before the checks pass is the one thing the loader must not do.
sdk::Policy* create_must_not_be_called(char*, std::size_t) { std::abort(); }
void destroy_must_not_be_called(sdk::Policy*) { std::abort(); }

// A C string the descriptor points at, or none (nullptr). Owned here so that it can be poisoned.
struct CString {
    std::optional<std::vector<char>> bytes;

    static CString from(FuzzedDataProvider& in, std::size_t length_max) {
        if (in.ConsumeIntegralInRange<int>(0, 7) == 0) return {};
        std::string text = in.ConsumeRandomLengthString(length_max);
        std::vector<char> bytes(text.begin(), text.end());
        bytes.push_back('\0');
        return CString{std::move(bytes)};
    }
    const char* get() const { return bytes ? bytes->data() : nullptr; }
    bool filled() const { return bytes && (*bytes)[0] != '\0'; }
    void poison(bool on) const {
        if (!bytes) return;
        if (on) {
            ASAN_POISON_MEMORY_REGION(bytes->data(), bytes->size());
        } else {
            ASAN_UNPOISON_MEMORY_REGION(bytes->data(), bytes->size());
        }
    }
};

// Mostly the host's own values, so that the later checks are reached as often as the first.
std::uint32_t version_field(FuzzedDataProvider& in, std::uint32_t host) {
    return in.ConsumeIntegralInRange<int>(0, 3) != 0 ? host : in.ConsumeIntegral<std::uint32_t>();
}

const char* expected_code(const BillingPluginDescriptor& d, bool first_three_pass) {
    if (d.abi_major != sdk::abi_major) return load_error::abi_major_mismatch;
    if (d.abi_minor > sdk::abi_minor) return load_error::abi_minor_newer;
    if (!first_three_pass) return load_error::build_key_mismatch;
    return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const std::uint32_t abi_major = version_field(in, sdk::abi_major);
    const std::uint32_t abi_minor = version_field(in, sdk::abi_minor);
    const bool host_build_key = in.ConsumeBool();
    const CString build_key =
        host_build_key ? CString{std::vector<char>(sdk::build_key, sdk::build_key + std::strlen(sdk::build_key) + 1)}
                       : CString::from(in, 64);
    const CString name = CString::from(in, 32);
    const CString version = CString::from(in, 32);
    const bool has_create = in.ConsumeBool();
    const bool has_destroy = in.ConsumeBool();
    const std::filesystem::path file = in.ConsumeRandomLengthString(64);

    const BillingPluginDescriptor d{abi_major,
                                    abi_minor,
                                    build_key.get(),
                                    name.get(),
                                    version.get(),
                                    has_create ? &create_must_not_be_called : nullptr,
                                    has_destroy ? &destroy_must_not_be_called : nullptr};
    const bool first_three_pass = abi_major == sdk::abi_major && abi_minor <= sdk::abi_minor &&
                                  build_key.get() != nullptr && std::strcmp(build_key.get(), sdk::build_key) == 0;
    const bool rest_pass = name.filled() && version.filled() && has_create && has_destroy;

    name.poison(!first_three_pass);
    version.poison(!first_three_pass);
    const std::optional<billing::Error> refusal = check_descriptor(file, &d);
    name.poison(false);
    version.poison(false);

    const char* expected = expected_code(d, first_three_pass);
    if (expected == nullptr && !rest_pass) expected = load_error::bad_descriptor;
    if (expected == nullptr) {
        FUZZ_CHECK(!refusal, "refused a good descriptor: " + refusal->message);
        return 0;
    }
    FUZZ_CHECK(refusal.has_value(), std::string("accepted, expected ") + expected);
    FUZZ_CHECK(refusal->code == expected, "refused with " + refusal->code + ", expected " + expected);
    const std::string& message = refusal->message;
    FUZZ_CHECK(message.rfind("plugin " + file.string() + " refused: ", 0) == 0, message);
    FUZZ_CHECK(message.find("; host " + billing::plugin::host_abi_description()) != std::string::npos, message);
    FUZZ_CHECK(message.find("ABI " + std::to_string(abi_major) + "." + std::to_string(abi_minor)) != std::string::npos,
               message);
    return 0;
}
