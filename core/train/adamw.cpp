#include "train/adamw.h"

#include "common/error.h"

#include <torch/torch.h>

#include <cmath>
#include <set>

namespace rsrefseg {

AdamW::AdamW(std::vector<std::pair<std::string, torch::Tensor>> parameters, const Options &options)
    : mParameters(std::move(parameters))
    , mOptions(options)
{
    std::set<std::string> seen;
    for (const auto &[name, p] : mParameters)
        if (!seen.insert(name).second)
            throw Error("AdamW: parameter '" + name + "' is listed twice");
}

void AdamW::zeroGrad()
{
    for (auto &[name, p] : mParameters) {
        torch::Tensor &g = p.mutable_grad();
        if (g.defined()) {
            g.detach_();
            g.zero_();
        }
    }
}

std::vector<torch::Tensor> AdamW::parameterTensors() const
{
    std::vector<torch::Tensor> out;
    out.reserve(mParameters.size());
    for (const auto &[name, p] : mParameters)
        out.push_back(p);
    return out;
}

void AdamW::step(double lr)
{
    torch::NoGradGuard noGrad;
    const double b1 = mOptions.beta1, b2 = mOptions.beta2;
    for (auto &[name, p] : mParameters) {
        const torch::Tensor &grad = p.grad();
        if (!grad.defined())
            continue;
        // Half-precision parameters are updated through a float32 copy; float32/float64 in place.
        const bool low = p.scalar_type() == torch::kHalf || p.scalar_type() == torch::kBFloat16;
        const torch::ScalarType work = low ? torch::kFloat32 : p.scalar_type();
        State &s = mState[name];
        if (!s.expAvg.defined()) {
            s.expAvg = torch::zeros(p.sizes(), p.options().dtype(work));
            s.expAvgSq = torch::zeros(p.sizes(), p.options().dtype(work));
        }
        ++s.step;
        const torch::Tensor g = grad.to(work);
        torch::Tensor master = low ? p.to(work) : p;
        master.mul_(1.0 - lr * mOptions.weightDecay);
        s.expAvg.mul_(b1).add_(g, 1.0 - b1);
        s.expAvgSq.mul_(b2).addcmul_(g, g, 1.0 - b2);
        const double bias1 = 1.0 - std::pow(b1, static_cast<double>(s.step));
        const double bias2 = 1.0 - std::pow(b2, static_cast<double>(s.step));
        const double stepSize = lr / bias1;
        const torch::Tensor denom = (s.expAvgSq.sqrt() / std::sqrt(bias2)).add_(mOptions.eps);
        master.addcdiv_(s.expAvg, denom, -stepSize);
        if (!master.is_same(p))
            p.copy_(master);
    }
}

std::map<std::string, torch::Tensor> AdamW::stateTensors() const
{
    std::map<std::string, torch::Tensor> out;
    for (const auto &[name, s] : mState) {
        out["step." + name] = torch::tensor(std::vector<int64_t>{s.step}, torch::kInt64);
        out["exp_avg." + name] = s.expAvg.detach().to(torch::kCPU).contiguous();
        out["exp_avg_sq." + name] = s.expAvgSq.detach().to(torch::kCPU).contiguous();
    }
    return out;
}

void AdamW::loadStateTensors(const std::map<std::string, torch::Tensor> &tensors, const std::string &source)
{
    std::map<std::string, const torch::Tensor *> byName;
    for (const auto &[name, p] : mParameters)
        byName[name] = &p;
    std::map<std::string, State> state;
    auto strip = [](const std::string &key, const std::string &prefix, std::string &rest) {
        if (key.compare(0, prefix.size(), prefix) != 0)
            return false;
        rest = key.substr(prefix.size());
        return true;
    };
    for (const auto &[key, t] : tensors) {
        std::string name;
        int kind = -1;
        if (strip(key, "step.", name))
            kind = 0;
        else if (strip(key, "exp_avg_sq.", name))
            kind = 2;
        else if (strip(key, "exp_avg.", name))
            kind = 1;
        else
            throw Error(source + ": unknown optimizer state tensor '" + key + "'");
        auto it = byName.find(name);
        if (it == byName.end())
            throw Error(source + ": optimizer state '" + key + "' belongs to no trainable parameter");
        const torch::Tensor &p = *it->second;
        State &s = state[name];
        if (kind == 0) {
            if (t.numel() != 1 || t.is_floating_point())
                throw Error(source + ": optimizer state '" + key + "' must be one integer");
            s.step = t.to(torch::kInt64).reshape({-1})[0].item<int64_t>();
            if (s.step < 1)
                throw Error(source + ": optimizer state '" + key + "' must be positive");
        } else {
            if (t.sizes() != p.sizes())
                throw Error(source + ": optimizer state '" + key + "' has shape " + c10::str(t.sizes()) +
                            ", the parameter " + c10::str(p.sizes()));
            const bool low = p.scalar_type() == torch::kHalf || p.scalar_type() == torch::kBFloat16;
            torch::Tensor v = t.to(p.device(), low ? torch::kFloat32 : p.scalar_type()).clone();
            (kind == 1 ? s.expAvg : s.expAvgSq) = v;
        }
    }
    for (const auto &[name, s] : state)
        if (s.step == 0 || !s.expAvg.defined() || !s.expAvgSq.defined())
            throw Error(source + ": optimizer state of '" + name + "' is incomplete (step, exp_avg and exp_avg_sq are needed)");
    mState = std::move(state);
}

} // namespace rsrefseg
