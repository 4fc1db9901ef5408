// The sentencepiece plugin: a thin C wrapper around sentencepiece::SentencePieceProcessor.
// It is the only code of the project that links sentencepiece (ARCHITECTURE.md, Platform facts); see
// spmpluginapi.h for the contract. No exception may leave an exported function.
#define RSREFSEG_SPM_BUILDING_PLUGIN
#include "spmpluginapi.h"

#include <sentencepiece_processor.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

struct rsrefseg_spm_model
{
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

void setError(char **error, const std::string &message)
{
    if (!error)
        return;
    *error = static_cast<char *>(std::malloc(message.size() + 1));
    if (*error)
        std::memcpy(*error, message.c_str(), message.size() + 1);
}

// Sets ModelProto.normalizer_spec.add_dummy_prefix = false without the proto classes (Debian
// ships no sentencepiece_model.pb.h). Protobuf merges repeated occurrences of a singular message
// field and the last scalar wins, so appending a second normalizer_spec (field 3) holding only
// add_dummy_prefix (field 3, varint 0) is exactly "edit the field", whatever else the file has.
void disableDummyPrefix(std::string &serialized)
{
    static const char patch[] = {
        0x1A, // ModelProto field 3 (normalizer_spec), wire type 2 (length-delimited)
        0x02, // length 2
        0x18, // NormalizerSpec field 3 (add_dummy_prefix), wire type 0 (varint)
        0x00, // false
    };
    serialized.append(patch, sizeof(patch));
}

} // namespace

extern "C" {

RSREFSEG_SPM_EXPORT int rsrefseg_spm_abi_version(void)
{
    return RSREFSEG_SPM_ABI_VERSION;
}

RSREFSEG_SPM_EXPORT rsrefseg_spm_model *rsrefseg_spm_load(const char *path, unsigned flags, char **error)
{
    try {
        if (!path) {
            setError(error, "no model path given");
            return nullptr;
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            setError(error, std::string("cannot open ") + path);
            return nullptr;
        }
        std::string serialized((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.bad()) {
            setError(error, std::string("cannot read ") + path);
            return nullptr;
        }
        if (flags & RSREFSEG_SPM_NO_DUMMY_PREFIX)
            disableDummyPrefix(serialized);
        auto *model = new rsrefseg_spm_model;
        const auto status = model->processor.LoadFromSerializedProto(serialized);
        if (!status.ok()) {
            delete model;
            setError(error, std::string("not a sentencepiece model: ") + status.ToString());
            return nullptr;
        }
        if (model->processor.GetPieceSize() <= 0) {
            delete model;
            setError(error, "not a sentencepiece model: empty vocabulary");
            return nullptr;
        }
        return model;
    } catch (const std::exception &e) {
        setError(error, e.what());
    } catch (...) {
        setError(error, "unknown error");
    }
    return nullptr;
}

RSREFSEG_SPM_EXPORT void rsrefseg_spm_free(rsrefseg_spm_model *model)
{
    delete model;
}

RSREFSEG_SPM_EXPORT void rsrefseg_spm_free_string(char *text)
{
    std::free(text);
}

RSREFSEG_SPM_EXPORT int rsrefseg_spm_encode(const rsrefseg_spm_model *model, const char *text, size_t size,
                                            rsrefseg_spm_piece_fn fn, void *user, char **error)
{
    try {
        if (!model || (!text && size > 0) || !fn) {
            setError(error, "invalid argument");
            return -1;
        }
        std::vector<std::string> pieces;
        const auto status = model->processor.Encode(absl::string_view(text ? text : "", size), &pieces);
        if (!status.ok()) {
            setError(error, status.ToString());
            return -1;
        }
        for (const auto &piece : pieces) {
            const int32_t id = model->processor.PieceToId(piece);
            if (fn(user, piece.data(), piece.size(), id) != 0) {
                setError(error, "encoding stopped by the caller");
                return -1;
            }
        }
        return 0;
    } catch (const std::exception &e) {
        setError(error, e.what());
    } catch (...) {
        setError(error, "unknown error");
    }
    return -1;
}

RSREFSEG_SPM_EXPORT int32_t rsrefseg_spm_piece_to_id(const rsrefseg_spm_model *model, const char *piece, size_t size)
{
    try {
        return model->processor.PieceToId(absl::string_view(piece ? piece : "", size));
    } catch (...) {
        return model->processor.unk_id();
    }
}

RSREFSEG_SPM_EXPORT int rsrefseg_spm_id_to_piece(const rsrefseg_spm_model *model, int32_t id, const char **piece,
                                                 size_t *size)
{
    if (!model || id < 0 || id >= model->processor.GetPieceSize())
        return -1;
    const std::string &p = model->processor.IdToPiece(id);
    if (piece)
        *piece = p.data();
    if (size)
        *size = p.size();
    return 0;
}

RSREFSEG_SPM_EXPORT int32_t rsrefseg_spm_vocab_size(const rsrefseg_spm_model *model)
{
    return model ? model->processor.GetPieceSize() : 0;
}

RSREFSEG_SPM_EXPORT int32_t rsrefseg_spm_unk_id(const rsrefseg_spm_model *model)
{
    return model ? model->processor.unk_id() : -1;
}

} // extern "C"
