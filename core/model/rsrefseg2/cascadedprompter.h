// CascadedPrompter: RSRefSeg 2's cascaded prompter (RSRefSeg2 refseg/models/models.py
// `CascadedPrompter` as rrsisd_infer.py builds it; ../shared/RSREFSEG2.md §3). From the SigLIP
// image tokens V, text tokens T and text pooler p it makes the SAM 2 decoder's prompts:
//   step 0: Q1 = Q2 = textpool(T) (adaptive average over the tokens to numTextQueries bins), then
//           `two_queries_text_attn_layers` (TwoQueryTextBlock) with the PEs text_query_pe_embedding1/2;
//   step 1: `queries1_to_img_attn_layers` (PITCrossAttentionBlock, query1Order): Q1 refines X = V
//           (image PE `img_pe`); Q1 is discarded afterwards;
//   step 2: `prompt_queries2_img_attn_layers` (query2Order): Q2, X and the learned prompts
//           R = prompt_embedding (PE prompt_pe_embedding);
//   sparse: S = sparse_prompt_mlp(R) (no PE, no residual);
//   dense:  X as a map -> dense_prompt_conv (conv3x3, BatchNorm2d (eval), GELU, conv3x3) ->
//           bilinear (align_corners TRUE) to M x M -> cosine with p -> * exp(logitScale) + logitBias.
//
//   CascadedPrompter prompter(config.prompter);      // then StateDictLoader::load(*prompter, "prompter." sub-tree)
//   prompter->eval();
//   PrompterOutput out = prompter(V, T, p, logitScale, logitBias, config.maskInputSize());
//   out.sparse;       // [B, numPrompts, promptFeatDim]
//   out.dense;        // [B, 1, M, M] mask-prompt logits
//   out.refinedImage; // [B, imgFeatDim, s, s]
//
// V is [Bv, s*s, imgFeatDim] with Bv = B or 1 (several queries on one cached tile broadcast the
// image); T is [B, L, textFeatDim], p [B, textFeatDim], logitScale/logitBias one value each (the
// SigLIP text tower's). `trace` receives the golden io.safetensors `prompter.*` intermediates.
// Batched text with padding: like upstream, every text attention and the textpool include the pad
// tokens (there is no key mask), so a padded row differs from the same text run alone.
//
// The dense cosine is computed without the M x M x C upsampled map by default
// (DensePromptPath::Factored, exact: bilinear weights commute with the dot product, and the squared
// norm of an interpolated vector is a quadratic form in the 4 neighbours' pairwise inner products);
// DensePromptPath::Upsampled is the literal upstream computation (302 MB at full size). Both run the
// cosine in float32 (the module may be bf16) and return D in the module's dtype.
#pragma once

#include "model/rsrefseg2/pitcrossattentionblock.h"
#include "model/rsrefseg2/promptermlp.h"
#include "model/rsrefseg2/rsrefseg2config.h"
#include "model/rsrefseg2/twoquerytextblock.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace rsrefseg {

struct PrompterOutput
{
    torch::Tensor sparse;       // [B, np, Cp]
    torch::Tensor dense;        // [B, 1, M, M]
    torch::Tensor refinedImage; // [B, C, s, s]
};

enum class DensePromptPath {
    Factored,  // cosine from neighbour inner products on the s x s grid (default)
    Upsampled, // upsample all channels to M x M, then normalise (upstream, literally)
};

class CascadedPrompterImpl : public torch::nn::Module
{
  public:
    // numLayers: the depth of each of the three block lists. The released checkpoint (and the
    // upstream defaults two_queries_text_attn_depth = queries1_to_img_attn_depth =
    // prompt_queries2_img_attn_depth = 2) has 2; CascadedPrompterConfig carries no depth.
    explicit CascadedPrompterImpl(const CascadedPrompterConfig &config, int64_t numLayers = 2);

    PrompterOutput forward(const torch::Tensor &imageTokens, const torch::Tensor &textTokens,
                           const torch::Tensor &textPooled, const torch::Tensor &logitScale,
                           const torch::Tensor &logitBias, int64_t maskInputSize,
                           std::map<std::string, torch::Tensor> *trace = nullptr);

    void setDensePromptPath(DensePromptPath path) { mDensePath = path; }
    DensePromptPath densePromptPath() const { return mDensePath; }

    torch::Tensor textQueryPeEmbedding1; // [nq, textDim]
    torch::Tensor textQueryPeEmbedding2;
    torch::nn::ModuleList twoQueriesTextAttnLayers{nullptr};
    torch::Tensor imgPe; // [1, imgDim, imgpeSize, imgpeSize]
    torch::nn::ModuleList queries1ToImgAttnLayers{nullptr};
    torch::nn::ModuleList promptQueries2ImgAttnLayers{nullptr};
    torch::Tensor promptPeEmbedding; // [np, promptDim]
    torch::Tensor promptEmbedding;   // [np, promptDim]
    PrompterMlp sparsePromptMlp{nullptr};
    torch::nn::Sequential densePromptConv{nullptr};

  private:
    void checkInputs(const torch::Tensor &imageTokens, const torch::Tensor &textTokens, const torch::Tensor &textPooled,
                     const torch::Tensor &logitScale, const torch::Tensor &logitBias, int64_t maskInputSize) const;
    torch::Tensor imagePositionalEmbedding(int64_t grid) const; // [1, grid*grid, imgDim]
    torch::Tensor denseConv(const torch::Tensor &map, std::map<std::string, torch::Tensor> *trace);
    // Cosine of the upsampled map with p, float32 [B, 1, M, M].
    torch::Tensor cosineUpsampled(const torch::Tensor &map, const torch::Tensor &unitText, int64_t size,
                                  std::map<std::string, torch::Tensor> *trace) const;
    torch::Tensor cosineFactored(const torch::Tensor &map, const torch::Tensor &unitText, int64_t size) const;

    CascadedPrompterConfig mConfig;
    DensePromptPath mDensePath = DensePromptPath::Factored;
    std::vector<TwoQueryTextBlock> mStep0;
    std::vector<PITCrossAttentionBlock> mStep1;
    std::vector<PITCrossAttentionBlock> mStep2;
    torch::nn::Conv2d mConv0{nullptr};
    torch::nn::BatchNorm2d mNorm1{nullptr};
    torch::nn::Conv2d mConv3{nullptr};
};
TORCH_MODULE(CascadedPrompter);

} // namespace rsrefseg
