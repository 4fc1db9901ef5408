#include "model/sam/sammodel.h"

#include "common/error.h"
#include "model/weights/safetensorsfile.h"
#include "model/weights/statedictloader.h"

namespace rsrefseg {

SamModelImpl::SamModelImpl(const SamConfig &config)
    : mConfig(config)
{
    config.validate("SamModel config");
    mSharedImageEmbedding = register_module("shared_image_embedding", SamPositionalEmbedding(config.vision.numPosFeats));
    mVisionEncoder = register_module("vision_encoder", SamVisionEncoder(config.vision));
    mPromptEncoder = register_module("prompt_encoder", SamPromptEncoder(config.promptEncoder));
    mMaskDecoder = register_module("mask_decoder", SamMaskDecoder(config.maskDecoder));
}

void SamModelImpl::tiePositionalEmbeddings(std::map<std::string, torch::Tensor> &tensors)
{
    const bool hasImage = tensors.count(kImagePeKey) > 0;
    const bool hasPrompt = tensors.count(kPromptPeKey) > 0;
    if (hasImage && !hasPrompt)
        tensors[kPromptPeKey] = tensors.at(kImagePeKey);
    else if (hasPrompt && !hasImage)
        tensors[kImagePeKey] = tensors.at(kPromptPeKey);
}

void SamModelImpl::loadStateDict(std::map<std::string, torch::Tensor> tensors, const std::string &sourceName)
{
    tiePositionalEmbeddings(tensors);
    StateDictLoader::load(*this, tensors, sourceName);
}

void SamModelImpl::loadSafetensors(const std::string &path)
{
    loadStateDict(SafetensorsFile::open(path).tensors(), path);
}

torch::Tensor SamModelImpl::imageWidePositionalEmbeddings() const
{
    return mSharedImageEmbedding->imageWidePositionalEmbeddings(mConfig.promptEncoder.imageEmbeddingSize());
}

SamMaskDecoderOutput SamModelImpl::forward(const torch::Tensor &pixels, const SamPrompts &prompts, bool multimask)
{
    const torch::Tensor embeddings = mVisionEncoder(pixels);
    const SamPromptEmbeddings p = mPromptEncoder(prompts);
    return mMaskDecoder(embeddings, imageWidePositionalEmbeddings(), p.sparse, p.dense, multimask);
}

} // namespace rsrefseg
