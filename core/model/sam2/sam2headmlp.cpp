#include "model/sam2/sam2headmlp.h"

#include "common/error.h"
#include "model/common/fewrowslinear.h"

namespace rsrefseg {

Sam2HeadMlpImpl::Sam2HeadMlpImpl(int64_t inputDim, int64_t hiddenDim, int64_t outputDim, int64_t numLayers,
                                 bool sigmoidOutput)
    : mSigmoidOutput(sigmoidOutput)
{
    if (numLayers < 1)
        throw Error("Sam2HeadMlp: num_layers must be at least 1, got " + std::to_string(numLayers));
    auto layers = register_module("layers", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < numLayers; ++i) {
        const int64_t in = i == 0 ? inputDim : hiddenDim;
        const int64_t out = i + 1 == numLayers ? outputDim : hiddenDim;
        mLayers.push_back(layers->register_module(std::to_string(i), torch::nn::Linear(in, out)));
    }
}

torch::Tensor Sam2HeadMlpImpl::forward(const torch::Tensor &x)
{
    torch::Tensor h = x;
    for (size_t i = 0; i < mLayers.size(); ++i) {
        // A float32 input to a reduced-precision module runs in float32 (the decoder's heads).
        const auto type = h.scalar_type();
        h = fewRowsLinear(h, mLayers[i]->weight.to(type), mLayers[i]->bias.to(type));
        if (i + 1 < mLayers.size())
            h = torch::relu(h);
    }
    return mSigmoidOutput ? torch::sigmoid(h) : h;
}

} // namespace rsrefseg
