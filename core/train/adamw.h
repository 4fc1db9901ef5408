// AdamW: torch.optim.AdamW (decoupled weight decay, no amsgrad; the single-tensor code path of
// PyTorch 1.13) over named parameters, with its state addressable by parameter name so that a
// training checkpoint can store and restore it exactly (LibTorch's own optimizer keys its state
// by tensor address, and that key changed between LibTorch versions).
//
//   AdamW opt(model->named_parameters() filtered to the trainable ones, {0.9, 0.999, 1e-8, 0.05});
//   opt.zeroGrad(); loss.backward(); opt.step(lr);
//   std::map<std::string, torch::Tensor> s = opt.stateTensors();   // "exp_avg.<name>", ...
//   opt.loadStateTensors(s, "last.safetensors");
//
// Parameters without a gradient in a step are skipped entirely (no decay, no step count), as
// in PyTorch. Moments have the parameter's dtype (float32 for half-precision parameters, which
// are updated through a float32 copy).
#pragma once

#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rsrefseg {

class AdamW
{
  public:
    struct Options
    {
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        double weightDecay = 0.01;
    };

    AdamW(std::vector<std::pair<std::string, torch::Tensor>> parameters, const Options &options);

    void zeroGrad();
    void step(double lr);

    const std::vector<std::pair<std::string, torch::Tensor>> &parameters() const { return mParameters; }
    std::vector<torch::Tensor> parameterTensors() const;

    // "step.<name>" (int64 [1]), "exp_avg.<name>", "exp_avg_sq.<name>" for every parameter that
    // has state (CPU copies).
    std::map<std::string, torch::Tensor> stateTensors() const;
    // Replaces the whole state. Throws rsrefseg::Error naming `source` and the tensor when a
    // state belongs to no parameter, is incomplete or has the wrong shape.
    void loadStateTensors(const std::map<std::string, torch::Tensor> &tensors, const std::string &source);

  private:
    struct State
    {
        int64_t step = 0;
        torch::Tensor expAvg;
        torch::Tensor expAvgSq;
    };
    std::vector<std::pair<std::string, torch::Tensor>> mParameters;
    std::map<std::string, State> mState;
    Options mOptions;
};

} // namespace rsrefseg
