// Fuzz target: the SigLIP tokenizer on arbitrary bytes (UTF-8 check, Python-exact lower-casing,
// canonicalisation, sentencepiece, truncation). The binary has no torch, so the sentencepiece
// plugin is loaded without RTLD_DEEPBIND under AddressSanitizer (ARCHITECTURE.md, Platform facts: sanitizers and the plugin).
#include "fuzzinput.h"
#include "text/sigliptokenizer.h"
#include "testpaths.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rsrefseg::SiglipTokenizer tokenizer(rsrefseg::test::testDataDir() + "/golden/siglip_tiny/spiece.model");
    const std::string text(reinterpret_cast<const char *>(data), size);
    rsrefseg::fuzzExpectError([&] {
        const auto encoding = tokenizer.encode(text);
        if (encoding.ids.empty() || encoding.ids.size() > 64 || encoding.ids.back() != tokenizer.eosId() ||
            encoding.attentionMask.size() != encoding.ids.size())
            __builtin_trap(); // an encoding always ends with EOS and fits the text tower
        (void)rsrefseg::SiglipTokenizer::canonicalizeText(rsrefseg::SiglipTokenizer::lowerCase(text));
    });
    return 0;
}
