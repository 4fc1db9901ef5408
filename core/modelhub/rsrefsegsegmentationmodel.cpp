#include "modelhub/rsrefsegsegmentationmodel.h"

#include "common/error.h"
#include "engine/featuremap.h"
#include "engine/imagepreprocessor.h"
#include "modelhub/rsrefsegnetwork.h"
#include "modelhub/torchcompute.h"

#include <torch/torch.h>

namespace rsrefseg {

struct RSRefSegSegmentationModel::Impl
{
    RSRefSegModel model{nullptr};
    std::unique_ptr<SiglipTokenizer> tokenizer;
    TorchCompute compute;
    std::string modelId;
    std::string name;
    bool trained = false;
    double threshold = 0.5;
    int threads = 1;
    int64_t parameters = 0;
};

namespace {

// The SigLIP grid of one image in the memory layout RSRefSegModelImpl::encodeImage gives it (its
// token matrix seen as a grid: channels last, batch stride C), not the contiguous copy the engine
// caches. The decoder's products pick their kernels, and so their float sums, by layout: decoded
// this way, one image gives bit for bit what RSRefSegModel::predict gives (test_modelhub), which
// is what `rsrefseg predict` has always written.
torch::Tensor encoderLayout(const torch::Tensor &grid)
{
    if (grid.size(0) != 1)
        return grid;
    const int64_t c = grid.size(1);
    torch::Tensor out = torch::empty_strided(grid.sizes(), {c, 1, grid.size(3) * c, c}, grid.options());
    out.copy_(grid);
    return out;
}

} // namespace

RSRefSegSegmentationModel::RSRefSegSegmentationModel(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{
}

RSRefSegSegmentationModel::RSRefSegSegmentationModel(RSRefSegNetwork network, const ComputeOptions &compute)
    : d(std::make_unique<Impl>())
{
    d->compute = TorchCompute::resolve(compute);
    d->threads = network.threads;
    d->model = network.model;
    d->tokenizer = std::move(network.tokenizer);
    d->modelId = network.manifest.modelId;
    d->name = network.manifest.name.empty() ? network.dir : network.manifest.name;
    d->trained = network.manifest.trained;
    d->threshold = network.manifest.config.maskThreshold;
    d->parameters = network.manifest.parameterCount;
}

RSRefSegSegmentationModel::~RSRefSegSegmentationModel() = default;

std::shared_ptr<RSRefSegSegmentationModel> RSRefSegSegmentationModel::load(const std::string &bundleDir,
                                                                           const ComputeOptions &compute,
                                                                           const std::function<bool(double)> &progress)
{
    return std::make_shared<RSRefSegSegmentationModel>(RSRefSegNetwork::open(bundleDir, compute, progress), compute);
}

std::shared_ptr<RSRefSegSegmentationModel> RSRefSegSegmentationModel::randomWeights(const std::string &arch,
                                                                                   const std::string &tokenizer,
                                                                                   const ComputeOptions &compute,
                                                                                   uint64_t seed)
{
    auto impl = std::make_unique<Impl>();
    impl->threads = applyComputeThreads(compute.threads);
    RSRefSegConfig config;
    if (arch == "rsrefseg-b")
        config = RSRefSegConfig::rsrefsegB();
    else
        config = ModelBundle::open(arch).manifest().config;
    impl->compute = TorchCompute::resolve(compute);
    torch::manual_seed(seed);
    impl->model = RSRefSegModel(config);
    impl->model->to(impl->compute.device, impl->compute.dtype);
    impl->model->eval();
    impl->tokenizer = RSRefSegNetwork::tokenizerFor(tokenizer, config);
    impl->modelId = "random-" + (arch == "rsrefseg-b" ? arch : std::string("bundle-arch")) + "-seed" + std::to_string(seed);
    impl->name = "random weights (" + arch + ")";
    impl->trained = false;
    impl->threshold = config.maskThreshold;
    for (const auto &p : impl->model->parameters())
        impl->parameters += p.numel();
    return std::shared_ptr<RSRefSegSegmentationModel>(new RSRefSegSegmentationModel(std::move(impl)));
}

int RSRefSegSegmentationModel::inputSize() const
{
    return static_cast<int>(d->model->config().imageSize());
}

std::string RSRefSegSegmentationModel::modelId() const
{
    return d->modelId;
}

std::string RSRefSegSegmentationModel::name() const
{
    return d->name;
}

std::string RSRefSegSegmentationModel::dtypeName() const
{
    return d->compute.dtypeName;
}

double RSRefSegSegmentationModel::maskThreshold() const
{
    return d->threshold;
}

bool RSRefSegSegmentationModel::trained() const
{
    return d->trained;
}

int64_t RSRefSegSegmentationModel::parameterCount() const
{
    return d->parameters;
}

int RSRefSegSegmentationModel::threads() const
{
    return d->threads;
}

std::string RSRefSegSegmentationModel::device() const
{
    return d->compute.device.str();
}

std::vector<FeaturesPtr> RSRefSegSegmentationModel::encodeImages(const std::vector<cv::Mat> &rgb)
{
    if (rgb.empty())
        return {};
    c10::InferenceMode guard;
    torch::Tensor x;
    if (d->compute.device.is_cuda()) {
        // uint8 from page-locked memory, copied asynchronously, converted on the GPU: the CPU
        // does not wait for the copy, and the read-ahead thread reads the next batch meanwhile.
        const torch::Tensor batch = ImagePreprocessor::toUint8Batch(rgb, inputSize(), /*pinned*/ true);
        x = ImagePreprocessor::uint8BatchToModelInput(batch.to(torch::TensorOptions().device(d->compute.device), /*non_blocking*/ true));
    } else {
        x = ImagePreprocessor::toModelInput(rgb, inputSize());
    }
    const ImageFeatures f = d->model->encodeImage(x);
    std::vector<FeaturesPtr> out;
    const int64_t b = static_cast<int64_t>(rgb.size());
    for (int64_t i = 0; i < b; ++i) {
        auto m = std::make_shared<FeatureMap>();
        // One tile per handle, contiguous: a cached tile does not keep its batch alive, and
        // features fresh from the encoder, from memory or from disk have the same layout, so
        // every later decode is bit-identical whichever way the features came.
        m->tensors["sam"] = f.samEmbeddings.slice(0, i, i + 1).contiguous();
        m->tensors["siglip"] = f.siglipFeatures.slice(0, i, i + 1).contiguous();
        out.push_back(std::move(m));
    }
    return out;
}

FeaturesPtr RSRefSegSegmentationModel::encodeText(const std::string &query)
{
    if (query.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error("the query is empty");
    const SiglipTokenizer::Encoding e = d->tokenizer->encode(query);
    c10::InferenceMode guard;
    const int64_t n = static_cast<int64_t>(e.ids.size());
    const torch::Tensor ids = torch::tensor(e.ids, torch::kInt64).view({1, n});
    const torch::Tensor mask = torch::tensor(e.attentionMask, torch::kInt64).view({1, n});
    const TextFeatures t = d->model->encodeText(ids, mask);
    auto m = std::make_shared<FeatureMap>();
    m->tensors["tokens"] = t.tokens.contiguous();
    m->tensors["pooled"] = t.pooled.contiguous();
    // How the query was read travels with its features: no second tokenization to tell.
    m->textWarning = e.warning;
    m->textTokens = static_cast<int>(n);
    m->textTruncated = e.truncated;
    return m;
}

ModelOutput RSRefSegSegmentationModel::decode(const FeaturesPtr &image, const FeaturesPtr &text)
{
    c10::InferenceMode guard;
    // Features read back from the disk cache live on the CPU.
    ImageFeatures img{image->at("sam").to(d->compute.device), image->at("siglip").to(d->compute.device)};
    TextFeatures txt{text->at("tokens").to(d->compute.device), text->at("pooled").to(d->compute.device)};
    const DecodeOutput o = d->model->decode(img, txt);
    const int s = inputSize();
    ModelOutput out;
    out.logits = tensorToMat(d->model->upsampleLogits(o.lowResLogits, s, s)[0][0]);
    out.activation = tensorToMat(o.globalActivationLogit[0]);
    out.relevance = torch::sigmoid(o.globalActivationLogit[0].to(torch::kFloat32)).max().item<float>();
    out.iou = o.iouPrediction[0].to(torch::kFloat32).item<float>();
    return out;
}

ImageSizeOutput RSRefSegSegmentationModel::decodeAtSize(const FeaturesPtr &image, const FeaturesPtr &text, int width,
                                                        int height)
{
    c10::InferenceMode guard;
    ImageFeatures img{image->at("sam").to(d->compute.device), encoderLayout(image->at("siglip").to(d->compute.device))};
    TextFeatures txt{text->at("tokens").to(d->compute.device), text->at("pooled").to(d->compute.device)};
    const DecodeOutput o = d->model->decode(img, txt);
    ImageSizeOutput out;
    out.logits = tensorToMat(d->model->upsampleLogits(o.lowResLogits, height, width)[0][0]);
    out.lowResLogits = tensorToMat(o.lowResLogits[0][0]);
    out.activation = tensorToMat(o.globalActivationLogit[0]);
    // Relevance as `rsrefseg predict` always reported it: sigmoid in the model's own dtype.
    out.relevance = o.globalActivationLogit.sigmoid().max().to(torch::kFloat32).item<float>();
    out.iou = o.iouPrediction[0].to(torch::kFloat32).item<float>();
    return out;
}

} // namespace rsrefseg
