#include "model/siglip/sigliptexttransformer.h"

#include "common/error.h"
#include "model/common/layernorm.h"

namespace rsrefseg {

SiglipTextEmbeddingsImpl::SiglipTextEmbeddingsImpl(const SiglipTextConfig &config)
    : mConfig(config)
{
    tokenEmbedding = register_module("token_embedding", torch::nn::Embedding(config.vocabSize, config.hiddenSize));
    positionEmbedding =
        register_module("position_embedding", torch::nn::Embedding(config.maxPositionEmbeddings, config.hiddenSize));
}

torch::Tensor SiglipTextEmbeddingsImpl::forward(const torch::Tensor &inputIds)
{
    if (inputIds.dim() != 2)
        throw Error("SigLIP text: input_ids must be [batch, length], got " + std::to_string(inputIds.dim()) +
                    " dimensions");
    if (c10::isFloatingType(inputIds.scalar_type()) || inputIds.scalar_type() == torch::kBool)
        throw Error("SigLIP text: input_ids must be an integer tensor");
    const int64_t length = inputIds.size(1);
    if (length < 1)
        throw Error("SigLIP text: input_ids is empty");
    if (length > mConfig.maxPositionEmbeddings)
        throw Error("SigLIP text: " + std::to_string(length) + " tokens, but the model has only " +
                    std::to_string(mConfig.maxPositionEmbeddings) + " position embeddings");
    const torch::Tensor ids = inputIds.to(torch::kInt64);
    const int64_t lo = ids.min().item<int64_t>();
    const int64_t hi = ids.max().item<int64_t>();
    if (lo < 0 || hi >= mConfig.vocabSize)
        throw Error("SigLIP text: token id " + std::to_string(lo < 0 ? lo : hi) + " is outside the vocabulary (size " +
                    std::to_string(mConfig.vocabSize) + ")");
    // position_ids = arange(L): the first L rows of the table, added directly.
    return tokenEmbedding->forward(ids).add_(positionEmbedding->weight.narrow(0, 0, length));
}

// ---------------------------------------------------------------------------------------------

SiglipTextTransformerImpl::SiglipTextTransformerImpl(const SiglipTextConfig &config)
    : mConfig(config)
{
    embeddings = register_module("embeddings", SiglipTextEmbeddings(config));
    encoder = register_module("encoder", SiglipEncoder(config));
    finalLayerNorm = register_module(
        "final_layer_norm",
        torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hiddenSize}).eps(config.layerNormEps)));
    head = register_module("head", LoraLinear(LoraLinearOptions(config.hiddenSize, config.hiddenSize)));
}

SiglipTextOutput SiglipTextTransformerImpl::forward(const torch::Tensor &inputIds, const torch::Tensor &attentionMask,
                                                    bool outputHiddenStates)
{
    SiglipTextOutput out;
    const torch::Tensor x = embeddings->forward(inputIds);
    torch::Tensor additive;
    if (attentionMask.defined()) {
        if (attentionMask.sizes() != inputIds.sizes())
            throw Error("SigLIP text: attention_mask must have the shape of input_ids");
        additive = siglipAdditiveAttentionMask(attentionMask.to(x.device()), x.scalar_type());
    }
    const torch::Tensor encoded = encoder->forward(x, additive, outputHiddenStates ? &out.hiddenStates : nullptr);
    out.lastHiddenState = layerNorm(finalLayerNorm, encoded);
    // The LAST position (not the eos position, not a mean), even if it is padding.
    out.poolerOutput = head->forward(out.lastHiddenState.select(1, out.lastHiddenState.size(1) - 1));
    return out;
}

void SiglipTextTransformerImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    encoder->enableLora(rank, alpha, dropout);
    head->enableLora(rank, alpha, dropout);
}

void SiglipTextTransformerImpl::mergeLora()
{
    encoder->mergeLora();
    head->mergeLora();
}

void SiglipTextTransformerImpl::setLoraAlpha(double alpha)
{
    encoder->setLoraAlpha(alpha);
    if (head->hasLora())
        head->setLoraAlpha(alpha);
}

} // namespace rsrefseg
