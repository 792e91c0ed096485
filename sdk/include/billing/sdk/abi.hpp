// Identity of a plugin binary: the one C symbol the host reads before it calls anything else.
//
// The first three fields (abi_major, abi_minor, build_key) keep their place in every ABI
// version, so that any host can read them from any plugin and refuse it with a clear message.
#pragma once

#include <cstddef>
#include <cstdint>

namespace billing::sdk {
class Policy;
}

// Bumped when the descriptor or any type in types.hpp/policy.hpp changes incompatibly.
#define BILLING_SDK_ABI_MAJOR 1
// Bumped when something is added that an older host does not send or read (an event type, an
// optional field at the end of a struct the plugin only reads). A host accepts plugins built
// with an ABI minor up to its own.
#define BILLING_SDK_ABI_MINOR 0

#define BILLING_SDK_STR_(x) #x
#define BILLING_SDK_STR(x) BILLING_SDK_STR_(x)

// The compiler family and major version, and the standard library with the switches that
// change the layout of std::string, std::map and friends. Host and plugin exchange those types
// by value, so both sides must agree on all of it.
#if defined(__clang__)
#define BILLING_SDK_COMPILER_KEY "clang-" BILLING_SDK_STR(__clang_major__)
#elif defined(__GNUC__)
#define BILLING_SDK_COMPILER_KEY "gcc-" BILLING_SDK_STR(__GNUC__)
#else
#define BILLING_SDK_COMPILER_KEY "unknown-compiler"
#endif

#if defined(_GLIBCXX_RELEASE)
#if defined(_GLIBCXX_DEBUG)
#define BILLING_SDK_STDLIB_DEBUG_KEY "-debug"
#else
#define BILLING_SDK_STDLIB_DEBUG_KEY ""
#endif
#define BILLING_SDK_STDLIB_KEY                                                                         \
    "libstdc++-" BILLING_SDK_STR(_GLIBCXX_RELEASE) "-cxx11abi" BILLING_SDK_STR(_GLIBCXX_USE_CXX11_ABI) \
        BILLING_SDK_STDLIB_DEBUG_KEY
#elif defined(_LIBCPP_VERSION)
#define BILLING_SDK_STDLIB_KEY "libc++-abi" BILLING_SDK_STR(_LIBCPP_ABI_VERSION)
#else
#define BILLING_SDK_STDLIB_KEY "unknown-stdlib"
#endif

#define BILLING_SDK_BUILD_KEY BILLING_SDK_COMPILER_KEY "/" BILLING_SDK_STDLIB_KEY

// Symbol visibility for the one exported descriptor; everything else in a plugin is hidden.
#define BILLING_SDK_EXPORT __attribute__((visibility("default")))

extern "C" {

// Creates the policy object. On failure returns nullptr and writes a NUL-terminated message
// of at most error_size bytes (including the NUL) into error. Never throws.
typedef billing::sdk::Policy* (*BillingPolicyCreateFn)(char* error, std::size_t error_size);
// Destroys an object made by create, with the plugin's own code.
typedef void (*BillingPolicyDestroyFn)(billing::sdk::Policy* policy);

struct BillingPluginDescriptor {
    std::uint32_t abi_major;  // keep first: read before anything else
    std::uint32_t abi_minor;
    const char* build_key;
    const char* name;     // the policy name tenants bind to, e.g. "otpdesk"
    const char* version;  // the plugin's own version, e.g. "1.2.0"
    BillingPolicyCreateFn create;
    BillingPolicyDestroyFn destroy;
};

}  // extern "C"

namespace billing::sdk {

// The name of the exported descriptor symbol.
inline constexpr const char* descriptor_symbol = "billing_plugin_descriptor";
inline constexpr std::uint32_t abi_major = BILLING_SDK_ABI_MAJOR;
inline constexpr std::uint32_t abi_minor = BILLING_SDK_ABI_MINOR;
inline constexpr const char* build_key = BILLING_SDK_BUILD_KEY;

}  // namespace billing::sdk
