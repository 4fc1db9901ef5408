// applySamActivation: the activation functions SAM configs name (`hidden_act`), with HF's
// numerics: "gelu" is the exact erf GELU (nn.GELU()), "gelu_pytorch_tanh" the tanh
// approximation, "relu" plain ReLU.
//
//   x = rsrefseg::applySamActivation(rsrefseg::SamActivation::GeluErf, x);
#pragma once

#include "model/sam/samconfig.h"

#include <torch/types.h>

namespace rsrefseg {

inline torch::Tensor applySamActivation(SamActivation activation, const torch::Tensor &x)
{
    switch (activation) {
    case SamActivation::GeluErf:
        return torch::gelu(x);
    case SamActivation::GeluTanh:
        return torch::gelu(x, "tanh");
    case SamActivation::Relu:
        return torch::relu(x);
    }
    return x;
}

} // namespace rsrefseg
