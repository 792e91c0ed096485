#include "billing/conformance/load_plugin.hpp"

#include "billing/plugin/loader.hpp"

namespace billing::conformance {

Result<Subject> load_subject(const PluginFiles& files) {
    auto library = plugin::PluginLibrary::open(files.plugin);
    if (!library) return library.error();
    const plugin::PluginIdentity& identity = library.value()->identity();

    auto config_text = read_text_file(files.config.string());
    if (!config_text) return Error{"config_unreadable", "cannot read " + files.config.string()};
    // The loader's own check first: a plugin the host would refuse is refused here with the
    // host's code and message, before any conformance check runs.
    auto configured = library.value()->instantiate(*config_text, files.config.string());
    if (!configured) return configured.error();

    Subject subject;
    subject.label = identity.name + " " + identity.version;
    subject.config = {*config_text, files.config.string()};
    std::shared_ptr<const plugin::PluginLibrary> mapped = library.value();
    subject.make = [mapped]() -> std::shared_ptr<sdk::Policy> {
        auto made = mapped->create_unconfigured();
        return made ? made.value() : nullptr;
    };
    subject.descriptor = Descriptor{identity.name,      identity.version,       identity.abi_major, identity.abi_minor,
                                    identity.build_key, identity.file.string(), identity.sha256};
    if (files.declaration) {
        auto text = read_text_file(files.declaration->string());
        if (!text) return Error{"declaration_unreadable", "cannot read " + files.declaration->string()};
        DeclarationResult parsed = parse_declaration(*text, files.declaration->string());
        if (!parsed.declaration) return Error{"declaration_invalid", parsed.error};
        subject.declaration = std::move(*parsed.declaration);
    }
    return subject;
}

}  // namespace billing::conformance
