// LoraAdapter: the LoRA logic every adapted layer shares (LoraLinear, LoraConv2d): checking and
// attaching an adapter with PEFT's initialisation (A Kaiming-uniform, B zero), the scale
// alpha / r, dropout on the adapter's input, changing alpha, and folding the adapter into the
// base weight. The layer keeps the adapter's state (its A and B weights, scale and dropout) and
// lends it to a LoraAdapter for each call; it supplies what differs: the A and B modules it
// registers, and how B @ A becomes a delta of its weight's shape.
//
//   void LoraLinearImpl::enableLora(int64_t rank, double alpha, double dropout) {
//       LoraAdapter lora(mLoraA, mLoraB, mScale, mDropout);
//       lora.checkCanEnable(rank);
//       auto a = register_module("lora_A", torch::nn::Linear(...));
//       auto b = register_module("lora_B", torch::nn::Linear(...));
//       lora.attach(a->weight, b->weight, rank, alpha, dropout);
//   }
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>

namespace rsrefseg {

class LoraAdapter
{
  public:
    // The layer's adapter state; a default (undefined) A means no adapter.
    LoraAdapter(torch::Tensor &a, torch::Tensor &b, double &scale, double &dropout);

    // Throws rsrefseg::Error for a non-positive rank or when an adapter is already enabled.
    void checkCanEnable(int64_t rank) const;
    // Initialises freshly registered A (Kaiming-uniform, a = sqrt(5)) and B (zeros) in place and
    // keeps them with scale alpha / rank.
    void attach(const torch::Tensor &a, const torch::Tensor &b, int64_t rank, double alpha, double dropout);
    // The adapter branch's input: dropout(x) in training mode when dropout > 0, else x.
    torch::Tensor input(const torch::Tensor &x, bool training) const;
    // Sets the scale to alpha / r (r from A's first dimension). Throws without an adapter.
    void setAlpha(double alpha);
    // weight += scale * product(A, B) computed in float32 (product gives B @ A in weight's
    // shape), then unregisters lora_A and lora_B from `owner` and forgets the adapter. No-op
    // without an adapter.
    void merge(torch::nn::Module &owner, torch::Tensor &weight,
               const std::function<torch::Tensor(const torch::Tensor &a, const torch::Tensor &b)> &product);

  private:
    torch::Tensor &mA;
    torch::Tensor &mB;
    double &mScale;
    double &mDropout;
};

} // namespace rsrefseg
