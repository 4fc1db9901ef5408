#include "model/siglip/siglipmodel.h"

#include "common/error.h"

namespace rsrefseg {

SiglipModelImpl::SiglipModelImpl(const SiglipConfig &config)
    : mConfig(config)
{
    // HF order: own parameters first in state_dict(), then text_model, vision_model.
    logitScale = register_parameter("logit_scale", torch::zeros({1})); // HF init: log(1.0)
    logitBias = register_parameter("logit_bias", torch::zeros({1}));
    textModel = register_module("text_model", SiglipTextTransformer(config.text));
    visionModel = register_module("vision_model", SiglipVisionTransformer(config.vision));
}

SiglipModelOutput SiglipModelImpl::forward(const torch::Tensor &pixelValues, const torch::Tensor &inputIds,
                                           const torch::Tensor &attentionMask)
{
    if (!mConfig.vision.useHead)
        throw Error("SigLIP: the image-text logits need the vision pooling head (vision_use_head is false)");
    SiglipModelOutput out;
    out.vision = visionModel->forward(pixelValues);
    out.text = textModel->forward(inputIds, attentionMask);
    // No epsilon in the norms, as upstream.
    const torch::Tensor image = out.vision.poolerOutput / out.vision.poolerOutput.norm(2, -1, true);
    const torch::Tensor text = out.text.poolerOutput / out.text.poolerOutput.norm(2, -1, true);
    out.logitsPerText = torch::matmul(text, image.t()) * logitScale.exp() + logitBias;
    out.logitsPerImage = out.logitsPerText.t();
    return out;
}

void SiglipModelImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    textModel->enableLora(rank, alpha, dropout);
    visionModel->enableLora(rank, alpha, dropout);
}

void SiglipModelImpl::mergeLora()
{
    textModel->mergeLora();
    visionModel->mergeLora();
}

void SiglipModelImpl::setLoraAlpha(double alpha)
{
    textModel->setLoraAlpha(alpha);
    visionModel->setLoraAlpha(alpha);
}

} // namespace rsrefseg
