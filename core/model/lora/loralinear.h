// LoraLinear: a Linear layer with an optional LoRA adapter, registered with the names the
// Hugging Face layout uses (`weight`, `bias`) so plain and merged checkpoints load by name.
// After enableLora() it also holds `lora_A` [r, in] and `lora_B` [out, r] (PEFT's
// `lora_A.default.weight` / `lora_B.default.weight`, renamed by the checkpoint name map).
//
//   LoraLinear q(LoraLinearOptions(64, 64));
//   q->enableLora(/*rank*/ 4, /*alpha*/ 8.0, /*dropout*/ 0.1);   // training-time forward
//   q->mergeLora();                                               // inference: W += s * B @ A
//
// forward = x W^T + b + (alpha / r) * dropout(x) A^T B^T   (dropout only in training mode).
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace rsrefseg {

struct LoraLinearOptions
{
    LoraLinearOptions(int64_t in, int64_t out)
        : inFeatures(in)
        , outFeatures(out)
    {
    }
    int64_t inFeatures;
    int64_t outFeatures;
    bool bias = true;
};

class LoraLinearImpl : public torch::nn::Cloneable<LoraLinearImpl>
{
  public:
    explicit LoraLinearImpl(const LoraLinearOptions &options);

    void reset() override;
    torch::Tensor forward(const torch::Tensor &x);

    // Registers zero-initialised-B / random-A adapters (PEFT's init) of the given rank.
    void enableLora(int64_t rank, double alpha, double dropout);
    // Folds the adapter into `weight` and removes it. No-op without an adapter.
    void mergeLora();
    bool hasLora() const { return mLoraA.defined(); }
    // Sets the scale (alpha / r) without touching tensors: used after loading a checkpoint
    // whose rank comes from lora_A's shape.
    void setLoraAlpha(double alpha);
    double loraScale() const { return mScale; }

    const LoraLinearOptions &options() const { return mOptions; }
    torch::Tensor weight;
    torch::Tensor bias;

  private:
    LoraLinearOptions mOptions;
    torch::Tensor mLoraA;
    torch::Tensor mLoraB;
    double mScale = 0.0;
    double mDropout = 0.0;
};
TORCH_MODULE(LoraLinear);

} // namespace rsrefseg
