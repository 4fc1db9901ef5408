#include "text/utf8.h"

#include "common/error.h"

namespace rsrefseg {

// Strict UTF-8 (no overlong forms, surrogates or values above U+10FFFF), like Python's decoder.
std::u32string decodeUtf8(const std::string &utf8)
{
    std::u32string out;
    out.reserve(utf8.size());
    const auto *s = reinterpret_cast<const unsigned char *>(utf8.data());
    const size_t n = utf8.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char b = s[i];
        char32_t c = 0;
        size_t extra = 0;
        char32_t minimum = 0;
        if (b < 0x80) {
            c = b;
        } else if (b >= 0xC2 && b <= 0xDF) {
            c = b & 0x1F;
            extra = 1;
            minimum = 0x80;
        } else if (b >= 0xE0 && b <= 0xEF) {
            c = b & 0x0F;
            extra = 2;
            minimum = 0x800;
        } else if (b >= 0xF0 && b <= 0xF4) {
            c = b & 0x07;
            extra = 3;
            minimum = 0x10000;
        } else {
            throw Error("text is not valid UTF-8 (byte " + std::to_string(i) + ")");
        }
        for (size_t k = 1; k <= extra; ++k) {
            if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
                throw Error("text is not valid UTF-8 (byte " + std::to_string(i + k) + ")");
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        if (extra && (c < minimum || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)))
            throw Error("text is not valid UTF-8 (byte " + std::to_string(i) + ")");
        out.push_back(c);
        i += extra + 1;
    }
    return out;
}

void appendUtf8(std::string &out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

std::string encodeUtf8(const std::u32string &text)
{
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text)
        appendUtf8(out, c);
    return out;
}

} // namespace rsrefseg
