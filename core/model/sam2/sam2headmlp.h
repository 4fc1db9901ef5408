// Sam2HeadMlp: sam2's `MLP` (sam2/modeling/sam2_utils.py) as the SAM 2 heads use it: linear
// layers `layers.0 .. layers.{n-1}` with a ReLU between them and an optional sigmoid on the
// output. The two-way transformer's MLP, the hypernetworks, the IoU head and the object-score
// head are all this class.
//
//   Sam2HeadMlp iou(256, 256, 4, 3, /*sigmoidOutput*/ true);   // iou_prediction_head
//   torch::Tensor scores = iou(tokens);                          // [..., 256] -> [..., 4]
//
// Few-row bf16 inputs (the decoder's tokens) go through fewRowsLinear (model/common). The
// layers run in the input's dtype: a float32 input to a bf16 module is computed in float32.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

namespace rsrefseg {

class Sam2HeadMlpImpl : public torch::nn::Module
{
  public:
    Sam2HeadMlpImpl(int64_t inputDim, int64_t hiddenDim, int64_t outputDim, int64_t numLayers,
                    bool sigmoidOutput = false);
    torch::Tensor forward(const torch::Tensor &x);

  private:
    std::vector<torch::nn::Linear> mLayers; // layers.N
    bool mSigmoidOutput;
};
TORCH_MODULE(Sam2HeadMlp);

} // namespace rsrefseg
