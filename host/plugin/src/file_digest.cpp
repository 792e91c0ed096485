#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <array>
#include <fstream>

#include "billing/plugin/loader.hpp"

namespace billing::plugin {

std::string sha256_of_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return {};
    }
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    std::array<char, 64 * 1024> buffer{};
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const std::streamsize n = in.gcount();
        if (n > 0) {
            engine.update(buffer.data(), static_cast<unsigned>(n));
        }
    }
    if (in.bad()) {
        return {};
    }
    return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace billing::plugin
