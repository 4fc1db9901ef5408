// GemmaTokenizer: text -> SigLIP 2 text-tower input ids for RSRefSeg 2, reproducing
// transformers v4.45.2's slow GemmaTokenizer as RSRefSeg 2 calls it (padding=True,
// truncation=True, max_length=128; tests/data/golden/rsrefseg2 README §7): the model's own
// normaliser (no lower-casing, no dummy prefix, byte fallback), literal "<pad>", "<eos>",
// "<bos>" and "<unk>" in the text become their ids, a BOS and an EOS frame the pieces as the
// settings say (GemmaTokenizerSettings, from tokenizer_config.json), rows are padded on the
// right with <pad> (0). One rule upstream lacks: ids beyond the text tower's 64 positions are
// dropped (the pieces are cut, the framing kept) and Encoding::warning says so; upstream
// fails there. Needs no torch; encode() is const and safe from many threads.
//
//   GemmaTokenizer t("tokenizer.model", GemmaTokenizer::Options{});     // BOS, no EOS
//   GemmaTokenizer::Encoding e = t.encode("The white storage tank");    // {2, 309, 275, ...}
#pragma once

#include "text/spmmodel.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rsrefseg {

class GemmaTokenizer
{
  public:
    struct Options
    {
        std::string pluginPath; // the sentencepiece plugin file or folder; empty: the usual search
        bool addBos = true;     // add_bos_token
        bool addEos = false;    // add_eos_token
        int maxPositions = 64;  // the text tower's positions; 0: no limit
        int maxLength = 128;    // upstream's call-time truncation (max_length=128)
    };

    struct Encoding
    {
        std::vector<int64_t> ids;
        std::vector<int64_t> attentionMask; // all 1
        std::vector<std::string> pieces;    // one per id ("<bos>", "<eos>" for the framing)
        bool truncated = false;
        std::string warning; // empty unless truncated
    };

    struct BatchEncoding
    {
        std::vector<std::vector<int64_t>> ids; // padded on the right with padId() to `length`
        std::vector<std::vector<int64_t>> attentionMask;
        size_t length = 0;
        std::vector<Encoding> rows;
        bool truncated = false;
    };

    // Throws Error when the plugin or the model cannot be loaded, when the model lacks one of
    // Gemma's special pieces (<pad> 0, <eos> 1, <bos> 2, <unk> 3), or the options are out of range.
    GemmaTokenizer(const std::string &modelPath, const Options &options);

    // Throws Error when the text is not valid UTF-8.
    Encoding encode(const std::string &utf8) const;
    BatchEncoding encodeBatch(const std::vector<std::string> &texts) const;
    // transformers' tokenize(): the pieces before framing and truncation.
    std::vector<std::string> tokenize(const std::string &utf8) const;

    int64_t padId() const { return mPadId; }
    int64_t eosId() const { return mEosId; }
    int64_t bosId() const { return mBosId; }
    int64_t unkId() const { return mUnkId; }
    int32_t vocabSize() const { return mModel.vocabSize(); }
    const Options &options() const { return mOptions; }

  private:
    std::vector<SpmModel::Piece> pieces(const std::string &utf8) const;

    Options mOptions;
    SpmModel mModel;
    int64_t mPadId = 0;
    int64_t mEosId = 1;
    int64_t mBosId = 2;
    int64_t mUnkId = 3;
};

} // namespace rsrefseg
