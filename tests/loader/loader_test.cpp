// The loader against real .so files: each broken fixture is refused with its own code and a
// message naming the file and both sides' versions; good plugins load from unique copies and
// are unmapped when their last reference goes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "billing/plugin/loader.hpp"

namespace billing::plugin {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

fs::path fixture(const std::string& name) { return fs::path(BILLING_FIXTURE_DIR) / (name + ".so"); }

std::string read_file(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Whether any mapping of this process comes from a path containing `needle`.
bool mapped(const std::string& needle) { return read_file("/proc/self/maps").find(needle) != std::string::npos; }

class LoaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        options_.copy_dir =
            fs::temp_directory_path() / ("billing-loader-test-" + std::to_string(::getpid())) / test->name();
        fs::remove_all(options_.copy_dir);
        options_.now_ms = 1'700'000'000'000;
    }
    void TearDown() override { fs::remove_all(options_.copy_dir.parent_path()); }

    Result<std::shared_ptr<const PolicyInstance>> load(const fs::path& file, const std::string& config = "") {
        return load_policy(file, config, "tenant.toml", options_);
    }

    // Asserts a refusal with `code` whose message names the file and the host's ABI.
    std::string expect_refused(const fs::path& file, const std::string& code, const std::string& config = "") {
        auto result = load(file, config);
        EXPECT_FALSE(result.ok());
        if (result.ok()) {
            return {};
        }
        EXPECT_EQ(result.error().code, code);
        EXPECT_THAT(result.error().message, HasSubstr(file.string()));
        EXPECT_THAT(result.error().message, HasSubstr("host " + host_abi_description()));
        // A refused plugin leaves nothing mapped and no copy on disk.
        EXPECT_FALSE(mapped(options_.copy_dir.string()));
        EXPECT_TRUE(!fs::exists(options_.copy_dir) || fs::is_empty(options_.copy_dir));
        return result.error().message;
    }

    LoadOptions options_;
};

TEST_F(LoaderTest, GoodPluginLoadsWithItsIdentityAndAnswers) {
    auto result = load(fixture("good_v1"));
    ASSERT_TRUE(result.ok()) << result.error().message;
    const auto& instance = *result.value();
    const PluginIdentity& id = instance.identity();
    EXPECT_EQ(id.name, "fixture");
    EXPECT_EQ(id.version, "1.0.0");
    EXPECT_EQ(id.abi_major, sdk::abi_major);
    EXPECT_EQ(id.abi_minor, sdk::abi_minor);
    EXPECT_EQ(id.build_key, sdk::build_key);
    EXPECT_EQ(id.file, fixture("good_v1"));
    EXPECT_EQ(id.loaded_at_ms, 1'700'000'000'000);
    EXPECT_EQ(id.sha256.size(), 64U);
    EXPECT_EQ(id.sha256, sha256_of_file(fixture("good_v1")));
    EXPECT_EQ(instance.info().name, "fixture");

    sdk::OrderView order;
    order.charged_minor = 100;
    const sdk::Decision d =
        instance.policy().decide(order, sdk::Event{sdk::event_type::cancel, {}, {}, {}, "customer"}, sdk::Context{});
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.message, "fixture 1.0.0");
    ASSERT_EQ(d.moves.size(), 1U);
    EXPECT_EQ(d.moves[0].amount_minor, 100);
}

TEST_F(LoaderTest, Sha256IsTheFilesDigest) {
    const fs::path file = fs::temp_directory_path() / ("billing-sha-" + std::to_string(::getpid()));
    std::ofstream(file) << "abc";
    EXPECT_EQ(sha256_of_file(file), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    fs::remove(file);
    EXPECT_EQ(sha256_of_file(file), "");
}

TEST_F(LoaderTest, MissingFileIsRefused) {
    const std::string message = expect_refused(fixture("does_not_exist"), load_error::file_missing);
    EXPECT_THAT(message, HasSubstr("no such file"));
}

TEST_F(LoaderTest, FileThatIsNotALibraryIsRefused) {
    const fs::path file = fs::temp_directory_path() / ("billing-not-a-plugin-" + std::to_string(::getpid()) + ".so");
    std::ofstream(file) << "#!/bin/sh\necho this is not an ELF file\n";
    const std::string message = expect_refused(file, load_error::dlopen_failed);
    EXPECT_THAT(message, HasSubstr("cannot load"));
    fs::remove(file);
}

TEST_F(LoaderTest, UnresolvedSymbolIsRefusedNamingTheSymbol) {
    const std::string message = expect_refused(fixture("undefined_symbol"), load_error::dlopen_failed);
    EXPECT_THAT(message, HasSubstr("billing_fixture_function_nobody_defines"));
}

TEST_F(LoaderTest, LibraryWithoutDescriptorIsRefused) {
    const std::string message = expect_refused(fixture("no_descriptor"), load_error::no_descriptor);
    EXPECT_THAT(message, HasSubstr("no symbol billing_plugin_descriptor"));
    EXPECT_THAT(message, HasSubstr("plugin side: no descriptor"));
}

TEST_F(LoaderTest, OtherAbiMajorIsRefusedNamingBothVersions) {
    const std::string message = expect_refused(fixture("abi_major"), load_error::abi_major_mismatch);
    const auto plugin_major = std::to_string(sdk::abi_major + 1);
    EXPECT_THAT(message,
                HasSubstr("ABI major " + plugin_major + " is not the host's " + std::to_string(sdk::abi_major)));
    // Behind another major only the stable prefix of the descriptor may be read: no name, no version.
    EXPECT_THAT(message, HasSubstr("plugin (billing_plugin_descriptor: ABI " + plugin_major + ".0, build key "));
    EXPECT_THAT(message, Not(HasSubstr("fixture 1.0.0")));
}

TEST_F(LoaderTest, NewerAbiMinorIsRefusedNamingBothVersions) {
    const std::string message = expect_refused(fixture("abi_minor"), load_error::abi_minor_newer);
    const std::string plugin_abi = std::to_string(sdk::abi_major) + "." + std::to_string(sdk::abi_minor + 1);
    EXPECT_THAT(message, HasSubstr("(billing_plugin_descriptor: ABI " + plugin_abi));
    EXPECT_THAT(message, HasSubstr("newer than the host's " + std::to_string(sdk::abi_minor)));
}

TEST_F(LoaderTest, OtherBuildKeyIsRefusedNamingBothKeys) {
    const std::string message = expect_refused(fixture("build_key"), load_error::build_key_mismatch);
    EXPECT_THAT(message, HasSubstr("build key clang-99/libc++-abi2"));
    EXPECT_THAT(message, HasSubstr(std::string("host's ") + sdk::build_key));
}

TEST_F(LoaderTest, DescriptorWithoutFactoryIsRefused) {
    const std::string message = expect_refused(fixture("bad_descriptor"), load_error::bad_descriptor);
    EXPECT_THAT(message, HasSubstr("lacks a name, a version, create or destroy"));
}

TEST_F(LoaderTest, ThrowingFactoryIsRefusedWithTheExceptionText) {
    const std::string message = expect_refused(fixture("factory_throws"), load_error::factory_failed);
    EXPECT_THAT(message, HasSubstr("its factory failed: price list missing from the constructor"));
}

TEST_F(LoaderTest, RejectedConfigIsRefusedWithThePluginsLineAndColumn) {
    const std::string message = expect_refused(fixture("config_rejects"), load_error::config_rejected);
    EXPECT_THAT(message, HasSubstr("its configuration was rejected: tenant.toml:3:7: bogus: unknown key; "
                                   "allowed at the top level: price_minor"));
}

TEST_F(LoaderTest, GoodPluginRefusingItsConfigIsRefused) {
    const std::string message = expect_refused(fixture("good_v1"), load_error::config_rejected, "reject = true");
    EXPECT_THAT(message, HasSubstr("tenant.toml:1:1"));
}

TEST_F(LoaderTest, ExceptionFromAnUnguardedPluginIsRefusedNotFatal) {
    const std::string message = expect_refused(fixture("unguarded_throws"), load_error::factory_failed);
    EXPECT_THAT(message, HasSubstr("it threw across the plugin boundary: configure threw without a guard"));
}

// Without a configured folder each copy goes to a fresh private folder (mkdtemp: 0700), which is
// removed with the copy once the library is mapped: no host run leaves a folder in /tmp.
TEST_F(LoaderTest, DefaultCopyFolderIsFreshAndGoneOnceTheLibraryIsMapped) {
    LoadOptions defaults;
    defaults.now_ms = 1;
    auto first = load_policy(fixture("good_v1"), "", "tenant.toml", defaults);
    ASSERT_TRUE(first.ok()) << first.error().message;
    auto second = load_policy(fixture("good_v1"), "", "tenant.toml", defaults);
    ASSERT_TRUE(second.ok()) << second.error().message;
    const fs::path dir = first.value()->identity().copy_path.parent_path();
    EXPECT_THAT(dir.filename().string(), ::testing::StartsWith("billing-host-plugins-"));
    EXPECT_NE(dir, second.value()->identity().copy_path.parent_path());
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_FALSE(fs::exists(second.value()->identity().copy_path.parent_path()));
    EXPECT_EQ(first.value()->policy().info().name, second.value()->policy().info().name) << "both still serve";
}

TEST_F(LoaderTest, InfoThatContradictsTheDescriptorIsRefused) {
    const std::string message = expect_refused(fixture("info_mismatch"), load_error::info_mismatch);
    EXPECT_THAT(message, HasSubstr("info() says someone_else 1.0.0, its descriptor fixture 1.0.0"));
}

TEST_F(LoaderTest, ExceptionsNeverCrossTheBoundary) {
    auto result = load(fixture("throws_everywhere"));
    ASSERT_TRUE(result.ok()) << result.error().message;
    const sdk::Policy& policy = result.value()->policy();

    const sdk::Quote q = policy.quote(sdk::PurchaseRequest{"widget", {}, {}}, sdk::Context{});
    EXPECT_FALSE(q.allowed);
    EXPECT_EQ(q.code, sdk::plugin_error_code);
    EXPECT_THAT(q.message, HasSubstr("quote exploded"));

    const sdk::Decision d = policy.decide(sdk::OrderView{}, sdk::Event{}, sdk::Context{});
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.code, sdk::plugin_error_code);
    EXPECT_THAT(d.message, HasSubstr("not a std::exception"));
    EXPECT_TRUE(d.moves.empty());
}

TEST_F(LoaderTest, TwoVersionsOfOnePluginLiveSideBySideFromUniqueCopies) {
    auto v1 = load(fixture("good_v1"));
    auto v2 = load(fixture("good_v2"));
    ASSERT_TRUE(v1.ok()) << v1.error().message;
    ASSERT_TRUE(v2.ok()) << v2.error().message;
    EXPECT_NE(v1.value()->identity().copy_path, v2.value()->identity().copy_path);
    EXPECT_EQ(v1.value()->identity().name, v2.value()->identity().name);

    // Each answers with its own code: hidden visibility + RTLD_LOCAL keep v2 from binding to v1.
    const sdk::Decision d1 = v1.value()->policy().decide({}, {}, {});
    const sdk::Decision d2 = v2.value()->policy().decide({}, {}, {});
    EXPECT_EQ(d1.message, "fixture 1.0.0");
    EXPECT_EQ(d2.message, "fixture 2.0.0");
}

TEST_F(LoaderTest, SameFileLoadedTwiceGivesTwoMappings) {
    auto a = load(fixture("good_v1"));
    auto b = load(fixture("good_v1"));
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a.value()->identity().copy_path, b.value()->identity().copy_path);
    EXPECT_TRUE(mapped(a.value()->identity().copy_path.string()));
    EXPECT_TRUE(mapped(b.value()->identity().copy_path.string()));
}

TEST_F(LoaderTest, CopiesAreRemovedFromDiskOnceMapped) {
    auto a = load(fixture("good_v1"));
    ASSERT_TRUE(a.ok());
    EXPECT_FALSE(fs::exists(a.value()->identity().copy_path));
    EXPECT_TRUE(fs::is_empty(options_.copy_dir));
}

TEST_F(LoaderTest, LibraryIsUnmappedWhenItsLastInstanceGoes) {
    auto library = PluginLibrary::open(fixture("good_v1"), options_);
    ASSERT_TRUE(library.ok()) << library.error().message;
    const std::string copy = library.value()->identity().copy_path.string();
    auto first = library.value()->instantiate("", "a.toml");
    auto second = library.value()->instantiate("", "b.toml");
    ASSERT_TRUE(first.ok() && second.ok());

    library = Error{"released", ""};  // the registry lets go; the instances still hold it
    EXPECT_TRUE(mapped(copy));
    first = Error{"released", ""};
    EXPECT_TRUE(mapped(copy)) << "one instance still uses the library";
    EXPECT_EQ(second.value()->policy().decide({}, {}, {}).message, "fixture 1.0.0");
    second = Error{"released", ""};
    EXPECT_FALSE(mapped(copy)) << "the last reference is gone: the library must be unmapped";
}

TEST_F(LoaderTest, ShippedOtpDeskPluginLoadsWithItsShippedConfig) {
    std::ifstream in(BILLING_OTPDESK_CONFIG);
    std::stringstream config;
    config << in.rdbuf();
    auto result = load_policy(BILLING_OTPDESK_PLUGIN, config.str(), BILLING_OTPDESK_CONFIG, options_);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result.value()->identity().name, "otpdesk");
    EXPECT_EQ(result.value()->info().products.size(), 2U);
}

}  // namespace
}  // namespace billing::plugin
