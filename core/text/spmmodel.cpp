#include "text/spmmodel.h"

#include "common/error.h"
#include "text/spmplugin.h"
#include "text/spmpluginfunctions.h"

#include <exception>
#include <utility>

namespace rsrefseg {

SpmModel::SpmModel(std::shared_ptr<const SpmPlugin> plugin, rsrefseg_spm_model *handle, std::string path)
    : mPlugin(std::move(plugin))
    , mHandle(handle)
    , mPath(std::move(path))
{
}

SpmModel::SpmModel(SpmModel &&other) noexcept
    : mPlugin(std::move(other.mPlugin))
    , mHandle(std::exchange(other.mHandle, nullptr))
    , mPath(std::move(other.mPath))
{
}

SpmModel &SpmModel::operator=(SpmModel &&other) noexcept
{
    if (this != &other) {
        if (mHandle)
            mPlugin->mFunctions->free(mHandle);
        mPlugin = std::move(other.mPlugin);
        mHandle = std::exchange(other.mHandle, nullptr);
        mPath = std::move(other.mPath);
    }
    return *this;
}

SpmModel::~SpmModel()
{
    // Freed before mPlugin (and so possibly the library) goes away.
    if (mHandle)
        mPlugin->mFunctions->free(mHandle);
}

std::vector<SpmModel::Piece> SpmModel::encode(const std::string &utf8) const
{
    struct Collector
    {
        std::vector<Piece> pieces;
        std::exception_ptr failure;
    } collector;
    // The callback runs inside the plugin: no exception may cross back through its frames.
    const auto onPiece = [](void *user, const char *piece, size_t size, int32_t id) -> int {
        auto *c = static_cast<Collector *>(user);
        try {
            c->pieces.push_back(Piece{std::string(piece, size), id});
            return 0;
        } catch (...) {
            c->failure = std::current_exception();
            return 1;
        }
    };
    char *error = nullptr;
    const int rc = mPlugin->mFunctions->encode(mHandle, utf8.data(), utf8.size(), onPiece, &collector, &error);
    if (collector.failure)
        std::rethrow_exception(collector.failure);
    if (rc != 0) {
        const std::string message = error ? error : "unknown error";
        mPlugin->mFunctions->freeString(error);
        throw Error("sentencepiece model " + mPath + " failed to encode text: " + message);
    }
    return std::move(collector.pieces);
}

int32_t SpmModel::pieceToId(const std::string &piece) const
{
    return mPlugin->mFunctions->pieceToId(mHandle, piece.data(), piece.size());
}

std::string SpmModel::idToPiece(int32_t id) const
{
    const char *piece = nullptr;
    size_t size = 0;
    if (mPlugin->mFunctions->idToPiece(mHandle, id, &piece, &size) != 0)
        throw Error("sentencepiece model " + mPath + " has no id " + std::to_string(id) + " (vocabulary size " +
                    std::to_string(vocabSize()) + ")");
    return std::string(piece, size);
}

int32_t SpmModel::vocabSize() const
{
    return mPlugin->mFunctions->vocabSize(mHandle);
}

int32_t SpmModel::unkId() const
{
    return mPlugin->mFunctions->unkId(mHandle);
}

} // namespace rsrefseg
