// SiglipModel: HF `SiglipModel` (transformers v4.45.2) in LibTorch: `text_model.*`,
// `vision_model.*`, `logit_scale` [1] and `logit_bias` [1], registered under the HF state-dict
// names so a hub model.safetensors loads strictly by name.
//
//   SiglipModel model(SiglipConfig::fromFile(dir + "/config.json"));
//   StateDictLoader::load(*model, SafetensorsFile::open(dir + "/model.safetensors").tensors(), dir);
//   model->eval();
//   auto img = model->visionModel->forward(pixels);         // SiglipVisionOutput
//   auto txt = model->textModel->forward(ids, mask);        // SiglipTextOutput
//   SiglipModelOutput both = model->forward(pixels, ids, mask);   // + the pairwise logits
//
// enableLora()/mergeLora() act on both towers (RSRefSeg-b targets, golden README §8). Enable LoRA
// before moving the model to another device or dtype: adapters are created as CPU float32.
#pragma once

#include "model/siglip/siglipconfig.h"
#include "model/siglip/sigliptexttransformer.h"
#include "model/siglip/siglipvisiontransformer.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace rsrefseg {

struct SiglipModelOutput
{
    torch::Tensor logitsPerImage; // [B_img, B_txt]
    torch::Tensor logitsPerText;  // [B_txt, B_img]
    SiglipVisionOutput vision;
    SiglipTextOutput text;
};

class SiglipModelImpl : public torch::nn::Module
{
  public:
    explicit SiglipModelImpl(const SiglipConfig &config);

    // HF SiglipModel.forward: logits_per_text = normalize(text_pooler) @ normalize(image_pooler)^T
    // * exp(logit_scale) + logit_bias. Needs the vision head.
    SiglipModelOutput forward(const torch::Tensor &pixelValues, const torch::Tensor &inputIds,
                              const torch::Tensor &attentionMask = {});

    void enableLora(int64_t rank, double alpha, double dropout);
    void mergeLora();
    void setLoraAlpha(double alpha);

    const SiglipConfig &config() const { return mConfig; }

    SiglipTextTransformer textModel{nullptr};
    SiglipVisionTransformer visionModel{nullptr};
    torch::Tensor logitScale; // [1]
    torch::Tensor logitBias;  // [1]

  private:
    SiglipConfig mConfig;
};
TORCH_MODULE(SiglipModel);

} // namespace rsrefseg
