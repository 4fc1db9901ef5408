// LoraConv2d: a Conv2d with an optional LoRA adapter (PEFT's conv LoRA): `lora_A` is a conv
// with the base kernel, stride and padding mapping in -> r channels, `lora_B` a 1x1 conv r -> out.
// Parameter names follow the HF layout (`weight`, `bias`), adapters are `lora_A`, `lora_B`.
//
//   LoraConv2d c(LoraConv2dOptions(64, 32, 3).padding(1).bias(false));
//   c->enableLora(4, 8.0, 0.1);
//   c->mergeLora();   // W += s * (B[:, :, 0, 0] @ A.reshape(r, -1)).reshape(W.shape)
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace rsrefseg {

struct LoraConv2dOptions
{
    LoraConv2dOptions(int64_t in, int64_t out, int64_t kernel)
        : inChannels(in)
        , outChannels(out)
        , kernelSize(kernel)
    {
    }
    LoraConv2dOptions &stride(int64_t s) { strideValue = s; return *this; }
    LoraConv2dOptions &padding(int64_t p) { paddingValue = p; return *this; }
    LoraConv2dOptions &bias(bool b) { biasValue = b; return *this; }

    int64_t inChannels;
    int64_t outChannels;
    int64_t kernelSize;
    int64_t strideValue = 1;
    int64_t paddingValue = 0;
    bool biasValue = true;
};

class LoraConv2dImpl : public torch::nn::Cloneable<LoraConv2dImpl>
{
  public:
    explicit LoraConv2dImpl(const LoraConv2dOptions &options);

    void reset() override;
    torch::Tensor forward(const torch::Tensor &x);

    void enableLora(int64_t rank, double alpha, double dropout);
    void mergeLora();
    bool hasLora() const { return mLoraA.defined(); }
    void setLoraAlpha(double alpha);
    double loraScale() const { return mScale; }

    const LoraConv2dOptions &options() const { return mOptions; }
    torch::Tensor weight;
    torch::Tensor bias;

  private:
    LoraConv2dOptions mOptions;
    torch::Tensor mLoraA;
    torch::Tensor mLoraB;
    double mScale = 0.0;
    double mDropout = 0.0;
};
TORCH_MODULE(LoraConv2d);

} // namespace rsrefseg
