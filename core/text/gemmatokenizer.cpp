#include "text/gemmatokenizer.h"

#include "common/error.h"
#include "text/spmplugin.h"
#include "text/utf8.h"

#include <algorithm>
#include <array>

namespace rsrefseg {

namespace {

// Gemma's special pieces, matched literally in the text (transformers' added tokens, no
// stripping). None is a prefix of another, so a left-to-right scan is the trie's split.
const std::array<std::string, 4> kSpecials = {"<pad>", "<eos>", "<bos>", "<unk>"};

const GemmaTokenizer::Options &checkedOptions(const GemmaTokenizer::Options &o)
{
    if (o.maxPositions < 0 || o.maxPositions == 1 || o.maxLength < 3)
        throw Error("GemmaTokenizer: maxPositions must be 0 or at least 2, maxLength at least 3");
    return o;
}

int64_t specialId(const SpmModel &model, const std::string &piece, int64_t expected)
{
    const int32_t id = model.pieceToId(piece);
    if (id != expected || model.idToPiece(id) != piece)
        throw Error("sentencepiece model " + model.path() + " is not a Gemma tokenizer model: \"" + piece +
                    "\" is not id " + std::to_string(expected));
    return id;
}

} // namespace

GemmaTokenizer::GemmaTokenizer(const std::string &modelPath, const Options &options)
    : mOptions(checkedOptions(options))
    , mModel(SpmPlugin::open(options.pluginPath)->loadModel(modelPath, false))
{
    mPadId = specialId(mModel, "<pad>", 0);
    mEosId = specialId(mModel, "<eos>", 1);
    mBosId = specialId(mModel, "<bos>", 2);
    mUnkId = specialId(mModel, "<unk>", 3);
}

std::vector<SpmModel::Piece> GemmaTokenizer::pieces(const std::string &utf8) const
{
    decodeUtf8(utf8); // validity only: sentencepiece would replace bad bytes silently
    std::vector<SpmModel::Piece> out;
    auto encodeChunk = [&](size_t from, size_t to) {
        if (to <= from)
            return;
        for (SpmModel::Piece &p : mModel.encode(utf8.substr(from, to - from)))
            out.push_back(std::move(p));
    };
    size_t start = 0;
    for (size_t i = 0; i < utf8.size();) {
        const auto special = std::find_if(kSpecials.begin(), kSpecials.end(),
                                          [&](const std::string &s) { return utf8.compare(i, s.size(), s) == 0; });
        if (special == kSpecials.end()) {
            ++i;
            continue;
        }
        encodeChunk(start, i);
        out.push_back({*special, mModel.pieceToId(*special)});
        i += special->size();
        start = i;
    }
    encodeChunk(start, utf8.size());
    return out;
}

std::vector<std::string> GemmaTokenizer::tokenize(const std::string &utf8) const
{
    std::vector<std::string> out;
    for (SpmModel::Piece &p : pieces(utf8))
        out.push_back(std::move(p.piece));
    return out;
}

GemmaTokenizer::Encoding GemmaTokenizer::encode(const std::string &utf8) const
{
    std::vector<SpmModel::Piece> body = pieces(utf8);
    const size_t framing = (mOptions.addBos ? 1 : 0) + (mOptions.addEos ? 1 : 0);
    const size_t total = body.size() + framing;
    // Upstream's max_length truncation cuts the pieces, then the framing is added.
    size_t keep = std::min(body.size(), static_cast<size_t>(mOptions.maxLength) - framing);
    Encoding e;
    if (mOptions.maxPositions > 0 && keep + framing > static_cast<size_t>(mOptions.maxPositions)) {
        keep = static_cast<size_t>(mOptions.maxPositions) - framing;
        e.truncated = true;
        e.warning = "the text has " + std::to_string(total) + " tokens, more than the text model's " +
                    std::to_string(mOptions.maxPositions) + " positions: only the first " +
                    std::to_string(keep) + " pieces are used";
    }
    auto push = [&](int64_t id, std::string piece) {
        e.ids.push_back(id);
        e.pieces.push_back(std::move(piece));
    };
    if (mOptions.addBos)
        push(mBosId, "<bos>");
    for (size_t i = 0; i < keep; ++i)
        push(body[i].id, std::move(body[i].piece));
    if (mOptions.addEos)
        push(mEosId, "<eos>");
    e.attentionMask.assign(e.ids.size(), 1);
    return e;
}

GemmaTokenizer::BatchEncoding GemmaTokenizer::encodeBatch(const std::vector<std::string> &texts) const
{
    BatchEncoding batch;
    for (const std::string &text : texts) {
        batch.rows.push_back(encode(text));
        batch.length = std::max(batch.length, batch.rows.back().ids.size());
        batch.truncated = batch.truncated || batch.rows.back().truncated;
    }
    for (const Encoding &row : batch.rows) {
        std::vector<int64_t> ids = row.ids;
        std::vector<int64_t> mask = row.attentionMask;
        ids.resize(batch.length, mPadId);
        mask.resize(batch.length, 0);
        batch.ids.push_back(std::move(ids));
        batch.attentionMask.push_back(std::move(mask));
    }
    return batch;
}

} // namespace rsrefseg
