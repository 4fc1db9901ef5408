#include "text/sigliptokenizer.h"

#include "common/error.h"
#include "text/spmplugin.h"
#include "text/utf8.h"

#include <locale.h>
#include <wctype.h>

#include <algorithm>

namespace rsrefseg {

namespace {

constexpr char32_t kSpieceUnderline = 0x2581; // '▁', sentencepiece's word-start mark
const std::u32string kEosToken = U"</s>";
const std::u32string kUnkToken = U"<unk>";

// Python's str.isspace() (= `\s` in a str regex), Unicode 14: the whole list is short.
bool isPythonSpace(char32_t c)
{
    switch (c) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x1C:
    case 0x1D:
    case 0x1E:
    case 0x1F:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

// Python's string.punctuation: the 32 ASCII punctuation characters, nothing else.
bool isAsciiPunctuation(char32_t c)
{
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

// A UTF-8 LC_CTYPE locale for towlower_l, opened once and never freed (it is immutable and
// shared by all threads; the process-wide locale is left alone).
locale_t unicodeLocale()
{
    static const locale_t locale = [] {
        for (const char *name : {"C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8"}) {
            if (locale_t l = newlocale(LC_CTYPE_MASK, name, static_cast<locale_t>(nullptr)))
                return l;
        }
        return static_cast<locale_t>(nullptr);
    }();
    return locale;
}

// Python's str.lower() of one character. glibc's C.UTF-8 case table agrees with Python 3.11
// for every code point except U+0130, the only character whose lower case is two characters.
void appendLower(std::u32string &out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    } else if (c == 0x0130) { // 'İ' -> 'i' + COMBINING DOT ABOVE
        out.push_back(U'i');
        out.push_back(0x0307);
    } else if (locale_t locale = unicodeLocale()) {
        out.push_back(static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), locale)));
    } else {
        out.push_back(c);
    }
}

// transformers lower-cases every character that is not part of a literal special token; both
// literals ("</s>", "<unk>") are their own lower case, so lower-casing everything is the same.
std::u32string lowerAll(const std::u32string &text)
{
    std::u32string out;
    out.reserve(text.size());
    for (char32_t c : text)
        appendLower(out, c);
    return out;
}

std::u32string canonicalize(const std::u32string &text)
{
    std::u32string out;
    out.reserve(text.size());
    bool pendingSpace = false;
    for (char32_t c : text) {
        if (isAsciiPunctuation(c))
            continue; // removed before the whitespace pass, so "a . b" -> "a b"
        if (isPythonSpace(c)) {
            pendingSpace = true;
            continue;
        }
        if (pendingSpace && !out.empty())
            out.push_back(U' ');
        pendingSpace = false;
        out.push_back(c);
    }
    return out; // leading and trailing whitespace dropped: strip()
}

void lstrip(std::u32string &text)
{
    size_t i = 0;
    while (i < text.size() && isPythonSpace(text[i]))
        ++i;
    text.erase(0, i);
}

void rstrip(std::u32string &text)
{
    size_t n = text.size();
    while (n > 0 && isPythonSpace(text[n - 1]))
        --n;
    text.resize(n);
}

bool isSpecialPiece(const std::string &piece)
{
    return piece == "</s>" || piece == "<unk>";
}

const SiglipTokenizer::Options &checkedOptions(const SiglipTokenizer::Options &options)
{
    if (options.maxPositions != 0 && options.maxPositions < 2)
        throw Error("tokenizer option maxPositions must be 0 (no limit) or at least 2, not " +
                    std::to_string(options.maxPositions));
    if (options.maxLength < 2)
        throw Error("tokenizer option maxLength must be at least 2, not " + std::to_string(options.maxLength));
    return options;
}

} // namespace

SiglipTokenizer::SiglipTokenizer(const std::string &modelPath)
    : SiglipTokenizer(modelPath, Options())
{
}

SiglipTokenizer::SiglipTokenizer(const std::string &modelPath, const Options &options)
    : mOptions(checkedOptions(options))
    , mModel(SpmPlugin::open(options.pluginPath)->loadModel(modelPath, true))
{
    mUnkId = mModel.unkId();
    mEosId = mModel.pieceToId("</s>");
    if (mEosId == mUnkId || mModel.idToPiece(static_cast<int32_t>(mEosId)) != "</s>")
        throw Error("sentencepiece model " + modelPath + " is not a SigLIP tokenizer model: it has no \"</s>\" piece");
    if (mModel.pieceToId("<unk>") != mUnkId)
        throw Error("sentencepiece model " + modelPath +
                    " is not a SigLIP tokenizer model: its unknown piece is not \"<unk>\"");
    // transformers: unk_token_length = len(sp_model.encode(unk_token)) on the patched model.
    mUnkTokenLength = mModel.encode("<unk>").size();
}

std::vector<SiglipTokenizer::Token> SiglipTokenizer::tokenizeToIds(const std::string &utf8) const
{
    std::u32string text = decodeUtf8(utf8);
    if (text.empty())
        return {};

    // 1. '▁' is sentencepiece's space: a literal one becomes a space; prefix one (add_prefix_space).
    std::replace(text.begin(), text.end(), kSpieceUnderline, U' ');
    text.insert(text.begin(), kSpieceUnderline);

    // 2. do_lower_case.
    text = lowerAll(text);

    // 3. Split on the literal special tokens. They cannot overlap, so a left-to-right scan is
    //    the trie's longest-match split.
    struct Chunk
    {
        std::u32string text;
        bool special = false;
    };
    std::vector<Chunk> chunks;
    size_t start = 0;
    for (size_t i = 0; i < text.size();) {
        const std::u32string *special = nullptr;
        if (text.compare(i, kEosToken.size(), kEosToken) == 0)
            special = &kEosToken;
        else if (text.compare(i, kUnkToken.size(), kUnkToken) == 0)
            special = &kUnkToken;
        if (!special) {
            ++i;
            continue;
        }
        if (i > start)
            chunks.push_back({text.substr(start, i - start), false});
        chunks.push_back({*special, true});
        i += special->size();
        start = i;
    }
    if (start < text.size())
        chunks.push_back({text.substr(start), false});
    // Both specials are AddedToken(lstrip=True, rstrip=True): they eat the whitespace around them.
    for (size_t i = 0; i < chunks.size(); ++i) {
        if (!chunks[i].special)
            continue;
        if (i + 1 < chunks.size() && !chunks[i + 1].special)
            lstrip(chunks[i + 1].text);
        if (i > 0 && !chunks[i - 1].special)
            rstrip(chunks[i - 1].text);
    }

    // 4. Specials map to their ids; other chunks are canonicalized and encoded behind "<unk>",
    //    whose pieces are then dropped: sentencepiece sees each chunk mid-text, never as the start
    //    of a sentence (transformers' non-legacy behaviour).
    std::vector<Token> tokens;
    for (const auto &chunk : chunks) {
        if (chunk.text.empty())
            continue;
        if (chunk.special) {
            const std::string piece = encodeUtf8(chunk.text);
            tokens.push_back({piece, mModel.pieceToId(piece)});
            continue;
        }
        const std::vector<SpmModel::Piece> pieces = mModel.encode("<unk>" + encodeUtf8(canonicalize(chunk.text)));
        const size_t skip = pieces.size() >= mUnkTokenLength ? mUnkTokenLength : 0;
        for (size_t k = skip; k < pieces.size(); ++k)
            tokens.push_back({pieces[k].piece, pieces[k].id});
    }

    // 5. A lone '▁' in front of a special token is dropped. (With a normalizer that removes extra
    //    whitespace, as SigLIP's does, the lone '▁' chunk already encodes to nothing.)
    if (tokens.size() > 1 && tokens[0].piece == "\xE2\x96\x81" && isSpecialPiece(tokens[1].piece))
        tokens.erase(tokens.begin());
    return tokens;
}

std::vector<std::string> SiglipTokenizer::tokenize(const std::string &utf8) const
{
    std::vector<std::string> pieces;
    for (auto &token : tokenizeToIds(utf8))
        pieces.push_back(std::move(token.piece));
    return pieces;
}

SiglipTokenizer::Encoding SiglipTokenizer::encode(const std::string &utf8) const
{
    std::vector<Token> tokens = tokenizeToIds(utf8);
    const auto needsEos = [&] { return tokens.empty() || tokens.back().id != mEosId; };
    const size_t fullLength = tokens.size() + (needsEos() ? 1 : 0);

    Encoding encoding;
    // 6. Upstream truncation (truncation=True, max_length): room is kept for EOS, which is added
    //    unless the list already ends with it.
    const auto upstreamKeep = static_cast<size_t>(mOptions.maxLength - 1);
    if (tokens.size() > upstreamKeep) {
        tokens.resize(upstreamKeep);
        encoding.truncated = true;
    }
    if (needsEos())
        tokens.push_back({"</s>", mEosId});
    // The text tower embeds maxPositions positions only (upstream would raise); its pooled
    // output reads the last position, so the cut list still ends with EOS.
    if (mOptions.maxPositions > 0 && tokens.size() > static_cast<size_t>(mOptions.maxPositions)) {
        tokens.resize(static_cast<size_t>(mOptions.maxPositions - 1));
        tokens.push_back({"</s>", mEosId});
        encoding.truncated = true;
    }

    encoding.ids.reserve(tokens.size());
    encoding.pieces.reserve(tokens.size());
    for (auto &token : tokens) {
        encoding.ids.push_back(token.id);
        encoding.pieces.push_back(std::move(token.piece));
    }
    encoding.attentionMask.assign(encoding.ids.size(), 1);

    if (encoding.truncated) {
        encoding.warning = "the text has " + std::to_string(fullLength) + " tokens, more than the " +
                           std::to_string(encoding.ids.size()) + " the SigLIP text model takes: kept the first " +
                           std::to_string(encoding.ids.size() - 1) + " and the end-of-text token";
    }
    if (!hasUnicodeLowerCase() && std::any_of(utf8.begin(), utf8.end(), [](char c) { return (c & 0x80) != 0; })) {
        if (!encoding.warning.empty())
            encoding.warning += "; ";
        encoding.warning += "no UTF-8 locale (C.UTF-8) is installed: non-ASCII letters were not "
                            "lower-cased";
    }
    return encoding;
}

SiglipTokenizer::BatchEncoding SiglipTokenizer::encodeBatch(const std::vector<std::string> &texts) const
{
    BatchEncoding batch;
    batch.rows.reserve(texts.size());
    for (const auto &text : texts) {
        batch.rows.push_back(encode(text));
        batch.length = std::max(batch.length, batch.rows.back().ids.size());
        batch.truncated = batch.truncated || batch.rows.back().truncated;
    }
    // 7. Right padding with the pad id (= EOS) to the longest row.
    for (const auto &row : batch.rows) {
        std::vector<int64_t> ids = row.ids;
        std::vector<int64_t> mask = row.attentionMask;
        ids.resize(batch.length, padId());
        mask.resize(batch.length, 0);
        batch.ids.push_back(std::move(ids));
        batch.attentionMask.push_back(std::move(mask));
    }
    return batch;
}

std::string SiglipTokenizer::lowerCase(const std::string &utf8)
{
    return encodeUtf8(lowerAll(decodeUtf8(utf8)));
}

std::string SiglipTokenizer::canonicalizeText(const std::string &utf8)
{
    return encodeUtf8(canonicalize(decodeUtf8(utf8)));
}

bool SiglipTokenizer::hasUnicodeLowerCase()
{
    return unicodeLocale() != static_cast<locale_t>(nullptr);
}

} // namespace rsrefseg
