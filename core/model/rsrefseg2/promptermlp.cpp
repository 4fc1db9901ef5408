#include "model/rsrefseg2/promptermlp.h"

#include "common/error.h"
#include "model/common/fewrowslinear.h"

#include <string>

namespace rsrefseg {

PrompterMlpImpl::PrompterMlpImpl(int64_t inputDim, int64_t hiddenDim, int64_t outputDim)
    : mInputDim(inputDim)
{
    fc0 = torch::nn::Linear(inputDim, hiddenDim);
    fc1 = torch::nn::Linear(hiddenDim, outputDim);
    layers = register_module("layers", torch::nn::ModuleList(fc0, fc1));
}

torch::Tensor PrompterMlpImpl::forward(const torch::Tensor &x)
{
    if (!x.defined() || x.dim() < 1 || x.size(-1) != mInputDim)
        throw Error("prompter MLP: input must end in " + std::to_string(mInputDim) + " features, got " +
                    (x.defined() ? c10::str(x.sizes()) : std::string("none")));
    // nn.GELU() default: the exact erf form.
    return fewRowsLinear(torch::gelu(fewRowsLinear(x, fc0->weight, fc0->bias)), fc1->weight, fc1->bias);
}

} // namespace rsrefseg
