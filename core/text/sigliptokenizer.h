// SiglipTokenizer: text -> SigLIP text-tower input ids, reproducing transformers v4.45.2's slow
// SiglipTokenizer exactly (tests/data/golden README §7) as RSRefSeg calls it
// (padding=True, truncation=True, max_length=128), plus the one rule upstream lacks: an input
// longer than the text tower's 64 positions keeps its first 63 ids and ends with EOS, and says so
// in Encoding::warning. Needs no torch: sentencepiece runs in the plugin
// (SpmPlugin). encode() is const and safe to call from many threads at once.
//
//   rsrefseg::SiglipTokenizer tokenizer("bundle/spiece.model");
//   rsrefseg::SiglipTokenizer::Encoding e = tokenizer.encode("the white tank on the left");
//   // e.ids = {3, 79, 60, 78, 110, ..., 1}, e.attentionMask = {1, ...}
//   auto batch = tokenizer.encodeBatch({"a ship", "the large harbour crane"}); // padded with 1
//
// Lower-casing follows Python's str.lower() per character through the C library's C.UTF-8
// locale (towlower_l) plus U+0130 -> "i̇": identical to Python 3.11 for every code point. Without
// any UTF-8 locale only ASCII is lower-cased and encode() warns when the text has non-ASCII.
#pragma once

#include "text/spmmodel.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rsrefseg {

class SiglipTokenizer
{
  public:
    struct Options
    {
        // The sentencepiece plugin file or its folder; empty: the usual search (SpmPlugin).
        std::string pluginPath;
        // Positions of the SigLIP text tower: longer encodings keep their first
        // maxPositions - 1 ids and end with EOS (truncated = true, warning set). 0: no limit.
        int maxPositions = 64;
        // Upstream's call-time truncation (max_length=128): the token list is cut to
        // maxLength - 1 before EOS is added, as transformers does.
        int maxLength = 128;
    };

    struct Encoding
    {
        std::vector<int64_t> ids;           // ends with EOS (1)
        std::vector<int64_t> attentionMask; // all 1 (one per id)
        std::vector<std::string> pieces;    // one per id ("</s>" for EOS)
        bool truncated = false;
        std::string warning; // empty unless truncated (or no UTF-8 locale: see above)
    };

    struct BatchEncoding
    {
        // Rows padded on the right with padId() to `length`; attentionMask is 1 on real ids.
        std::vector<std::vector<int64_t>> ids;
        std::vector<std::vector<int64_t>> attentionMask;
        size_t length = 0;
        std::vector<Encoding> rows; // the unpadded encodings, in input order
        bool truncated = false;     // any row truncated
    };

    // Throws Error when the plugin or the model cannot be loaded, when the model has no "</s>"
    // or "<unk>" piece, or when the options are out of range.
    explicit SiglipTokenizer(const std::string &modelPath);
    SiglipTokenizer(const std::string &modelPath, const Options &options);

    // Throws Error when the text is not valid UTF-8.
    Encoding encode(const std::string &utf8) const;
    BatchEncoding encodeBatch(const std::vector<std::string> &texts) const;

    // transformers' tokenize(): the pieces before ids, truncation and EOS.
    std::vector<std::string> tokenize(const std::string &utf8) const;

    int64_t eosId() const { return mEosId; }
    int64_t padId() const { return mEosId; } // SigLIP pads with EOS
    int64_t unkId() const { return mUnkId; }
    int32_t vocabSize() const { return mModel.vocabSize(); }
    const Options &options() const { return mOptions; }
    const SpmModel &model() const { return mModel; }

    // Python's str.lower() applied per character (as transformers' do_lower_case does).
    static std::string lowerCase(const std::string &utf8);
    // SiglipTokenizer.canonicalize_text: drop ASCII punctuation, collapse runs of Unicode
    // whitespace to one space, strip.
    static std::string canonicalizeText(const std::string &utf8);
    // Whether lowerCase() has a UTF-8 locale (false: ASCII only).
    static bool hasUnicodeLowerCase();

  private:
    struct Token
    {
        std::string piece;
        int64_t id = 0;
    };
    std::vector<Token> tokenizeToIds(const std::string &utf8) const;

    Options mOptions;
    SpmModel mModel;
    size_t mUnkTokenLength = 0;
    int64_t mEosId = 1;
    int64_t mUnkId = 2;
};

} // namespace rsrefseg
