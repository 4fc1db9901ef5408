// PrompterMlp: the two-layer MLP of RSRefSeg 2's cascaded prompter (RSRefSeg2 models.py `MLP`
// with num_layers 2 and nn.GELU): layers.0 (in -> hidden), exact-erf GELU, layers.1 (hidden -> out).
//
//   PrompterMlp mlp(/*in*/ 1152, /*hidden*/ 512, /*out*/ 1152);
//   torch::Tensor y = mlp(x); // x [..., in] -> [..., out]
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace rsrefseg {

class PrompterMlpImpl : public torch::nn::Module
{
  public:
    PrompterMlpImpl(int64_t inputDim, int64_t hiddenDim, int64_t outputDim);
    torch::Tensor forward(const torch::Tensor &x);

    int64_t inputDim() const { return mInputDim; }

    torch::nn::ModuleList layers{nullptr};
    torch::nn::Linear fc0{nullptr}; // layers.0
    torch::nn::Linear fc1{nullptr}; // layers.1

  private:
    int64_t mInputDim;
};
TORCH_MODULE(PrompterMlp);

} // namespace rsrefseg
