// Whether a text is valid UTF-8, decided by glibc's iconv: independent of the host's own decoder
// (json_writer.cpp), which is what the tests that use it check.
#pragma once

#include <iconv.h>

#include <string>
#include <string_view>

namespace billing::testing {

inline bool is_valid_utf8(std::string_view text) {
    iconv_t cd = iconv_open("UTF-8", "UTF-8");
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    std::string in(text);
    std::string out(text.size() * 4 + 4, '\0');
    char* in_at = in.data();
    char* out_at = out.data();
    std::size_t in_left = in.size();
    std::size_t out_left = out.size();
    const std::size_t done = iconv(cd, &in_at, &in_left, &out_at, &out_left);
    iconv_close(cd);
    return done != static_cast<std::size_t>(-1) && in_left == 0;
}

}  // namespace billing::testing
