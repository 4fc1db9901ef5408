// Strict UTF-8 decoding and encoding for the tokenizers: decodeUtf8 refuses what Python's
// decoder refuses (overlong forms, surrogates, values above U+10FFFF) with an Error naming the
// byte offset.
#pragma once

#include <string>

namespace rsrefseg {

std::u32string decodeUtf8(const std::string &utf8);
void appendUtf8(std::string &out, char32_t c);
std::string encodeUtf8(const std::u32string &text);

} // namespace rsrefseg
