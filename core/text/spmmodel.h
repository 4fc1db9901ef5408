// SpmModel: a sentencepiece model loaded inside the sentencepiece plugin (see SpmPlugin).
// Created by SpmPlugin::loadModel; keeps the plugin loaded while it lives. Movable, not
// copyable. All const methods may be called from several threads at once.
//
//   for (const auto &p : model.encode("the white tank")) std::cout << p.piece << ' ' << p.id;
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct rsrefseg_spm_model;

namespace rsrefseg {

class SpmPlugin;

class SpmModel
{
  public:
    struct Piece
    {
        std::string piece; // UTF-8
        int32_t id = 0;
    };

    SpmModel(SpmModel &&other) noexcept;
    SpmModel &operator=(SpmModel &&other) noexcept;
    SpmModel(const SpmModel &) = delete;
    SpmModel &operator=(const SpmModel &) = delete;
    ~SpmModel();

    // sentencepiece's Encode (normalizer included) of UTF-8 text, as pieces with their ids.
    std::vector<Piece> encode(const std::string &utf8) const;

    // The id of a piece (the unknown id when it is not in the vocabulary).
    int32_t pieceToId(const std::string &piece) const;
    // The piece of an id; throws Error when the id is out of range.
    std::string idToPiece(int32_t id) const;
    int32_t vocabSize() const;
    int32_t unkId() const;

    // The .model file this was loaded from.
    const std::string &path() const { return mPath; }

  private:
    friend class SpmPlugin;
    SpmModel(std::shared_ptr<const SpmPlugin> plugin, rsrefseg_spm_model *handle, std::string path);

    std::shared_ptr<const SpmPlugin> mPlugin;
    rsrefseg_spm_model *mHandle = nullptr;
    std::string mPath;
};

} // namespace rsrefseg
