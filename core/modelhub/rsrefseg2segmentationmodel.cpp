#include "modelhub/rsrefseg2segmentationmodel.h"

#include "common/error.h"
#include "engine/featuremap.h"
#include "modelhub/torchcompute.h"
#include "model/rsrefseg2/rsrefseg2bundle.h"
#include "text/gemmatokenizer.h"
#include "text/gemmatokenizersettings.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <cstring>

namespace rsrefseg {

struct RSRefSeg2SegmentationModel::Impl
{
    RSRefSeg2Model model{nullptr};
    std::unique_ptr<GemmaTokenizer> tokenizer;
    TorchCompute compute;
    std::string modelId;
    std::string name;
    bool trained = false;
    double threshold = 0.5;
    int threads = 1;
    int64_t parameters = 0;

    void setTokenizer(const std::string &spm, const GemmaTokenizerSettings &settings)
    {
        GemmaTokenizer::Options o;
        o.addBos = settings.addBos;
        o.addEos = settings.addEos;
        o.maxPositions = static_cast<int>(model->config().siglip.text.maxPositionEmbeddings);
        tokenizer = std::make_unique<GemmaTokenizer>(spm, o);
    }
};

namespace {

// mmcv Resize(keep_ratio=True) with cv2 INTER_LINEAR on uint8, then zero padding bottom/right in
// [0, 1] space (SegDataPreProcessor): [1, 3, S, S] and the image region's size.
torch::Tensor paddedInput(const cv::Mat &rgb, int64_t size, int64_t &validH, int64_t &validW)
{
    if (rgb.empty() || rgb.type() != CV_8UC3)
        throw Error("the model input must be an 8-bit RGB image");
    const auto hw = RSRefSeg2ModelImpl::keepRatioSize(rgb.rows, rgb.cols, size);
    validH = hw[0];
    validW = hw[1];
    cv::Mat resized;
    if (rgb.rows == validH && rgb.cols == validW)
        resized = rgb.isContinuous() ? rgb : rgb.clone();
    else
        cv::resize(rgb, resized, cv::Size(static_cast<int>(validW), static_cast<int>(validH)), 0, 0, cv::INTER_LINEAR);
    torch::Tensor u8 = torch::zeros({size, size, 3}, torch::kUInt8);
    for (int64_t y = 0; y < validH; ++y)
        std::memcpy(u8[y].data_ptr<uint8_t>(), resized.ptr<unsigned char>(static_cast<int>(y)),
                    static_cast<size_t>(validW) * 3);
    return u8.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div_(255.0f);
}

} // namespace

RSRefSeg2SegmentationModel::RSRefSeg2SegmentationModel(std::unique_ptr<Impl> impl)
    : d(std::move(impl))
{
}

RSRefSeg2SegmentationModel::~RSRefSeg2SegmentationModel() = default;

std::shared_ptr<RSRefSeg2SegmentationModel> RSRefSeg2SegmentationModel::load(const std::string &bundleDir,
                                                                             const ComputeOptions &compute,
                                                                             const std::function<bool(double)> &progress)
{
    auto impl = std::make_unique<Impl>();
    impl->threads = applyComputeThreads(compute.threads);
    impl->compute = TorchCompute::resolve(compute);
    const RSRefSeg2Bundle bundle = RSRefSeg2Bundle::open(bundleDir);
    try {
        impl->model = bundle.load({compute.device, impl->compute.dtype}, progress);
    } catch (const c10::OutOfMemoryError &e) {
        throwLoadOutOfMemory(e, compute.device);
    }
    impl->setTokenizer(bundle.tokenizerPath(), GemmaTokenizerSettings::read(bundle.tokenizerConfigPath()));
    const RSRefSeg2Manifest &m = bundle.manifest();
    impl->modelId = m.modelId;
    impl->name = m.name.empty() ? bundleDir : m.name;
    impl->trained = m.trained;
    impl->threshold = m.config.maskThreshold;
    impl->parameters = m.parameterCount;
    return std::shared_ptr<RSRefSeg2SegmentationModel>(new RSRefSeg2SegmentationModel(std::move(impl)));
}

std::shared_ptr<RSRefSeg2SegmentationModel> RSRefSeg2SegmentationModel::randomWeights(const std::string &arch,
                                                                                     const std::string &tokenizer,
                                                                                     const ComputeOptions &compute,
                                                                                     uint64_t seed)
{
    auto impl = std::make_unique<Impl>();
    impl->threads = applyComputeThreads(compute.threads);
    impl->compute = TorchCompute::resolve(compute);
    const RSRefSeg2Config config =
        arch == "rsrefseg2-l" ? RSRefSeg2Config::full() : RSRefSeg2Bundle::open(arch).manifest().config;
    torch::manual_seed(seed);
    impl->model = RSRefSeg2Model(config);
    impl->model->to(impl->compute.device, impl->compute.dtype);
    impl->model->eval();
    impl->setTokenizer(tokenizer, GemmaTokenizerSettings{});
    impl->modelId = "random-" + (arch == "rsrefseg2-l" ? arch : std::string("bundle-arch2")) + "-seed" + std::to_string(seed);
    impl->name = "random weights (" + arch + ")";
    impl->trained = false;
    impl->threshold = config.maskThreshold;
    for (const auto &p : impl->model->parameters())
        impl->parameters += p.numel();
    return std::shared_ptr<RSRefSeg2SegmentationModel>(new RSRefSeg2SegmentationModel(std::move(impl)));
}

int RSRefSeg2SegmentationModel::inputSize() const { return static_cast<int>(d->model->config().imageSize); }
std::string RSRefSeg2SegmentationModel::modelId() const { return d->modelId; }
std::string RSRefSeg2SegmentationModel::name() const { return d->name; }
std::string RSRefSeg2SegmentationModel::dtypeName() const { return d->compute.dtypeName; }
double RSRefSeg2SegmentationModel::maskThreshold() const { return d->threshold; }
bool RSRefSeg2SegmentationModel::trained() const { return d->trained; }
int64_t RSRefSeg2SegmentationModel::parameterCount() const { return d->parameters; }
int RSRefSeg2SegmentationModel::threads() const { return d->threads; }
std::string RSRefSeg2SegmentationModel::device() const { return d->compute.device.str(); }

std::vector<FeaturesPtr> RSRefSeg2SegmentationModel::encodeImages(const std::vector<cv::Mat> &rgb)
{
    std::vector<FeaturesPtr> out;
    c10::InferenceMode guard;
    const int64_t s = inputSize();
    const int patch = static_cast<int>(d->model->config().siglip.vision.patchSize);
    for (const cv::Mat &image : rgb) {
        if (!image.empty() && (image.rows < patch || image.cols < patch))
            throw Error("an image of " + std::to_string(image.cols) + " x " + std::to_string(image.rows) +
                        " pixels is smaller than one " + std::to_string(patch) + "-pixel patch of the model");
        int64_t vh = 0;
        int64_t vw = 0;
        const torch::Tensor x = paddedInput(image, s, vh, vw).to(d->compute.device);
        const RSRefSeg2ImageFeatures f = d->model->encodeImage(x);
        auto m = std::make_shared<FeatureMap>();
        // Contiguous, one tile per handle: features from the encoder, memory or disk decode alike.
        m->tensors["embedding"] = f.embedding.contiguous();
        m->tensors["s0"] = f.highRes0.contiguous();
        m->tensors["s1"] = f.highRes1.contiguous();
        m->tensors["siglip"] = f.siglipTokens.contiguous();
        m->tensors["valid"] = torch::tensor({vh, vw}, torch::kInt64);
        out.push_back(std::move(m));
    }
    return out;
}

FeaturesPtr RSRefSeg2SegmentationModel::encodeText(const std::string &query)
{
    if (query.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error("the query is empty");
    const GemmaTokenizer::Encoding e = d->tokenizer->encode(query);
    if (e.ids.empty())
        throw Error("the query gives no tokens (the tokenizer settings add neither BOS nor EOS)");
    c10::InferenceMode guard;
    const int64_t n = static_cast<int64_t>(e.ids.size());
    const torch::Tensor ids = torch::tensor(e.ids, torch::kInt64).view({1, n});
    const torch::Tensor mask = torch::tensor(e.attentionMask, torch::kInt64).view({1, n});
    const RSRefSeg2TextFeatures t = d->model->encodeText(ids, mask);
    auto m = std::make_shared<FeatureMap>();
    m->tensors["tokens"] = t.tokens.contiguous();
    m->tensors["pooled"] = t.pooled.contiguous();
    m->textWarning = e.warning;
    m->textTokens = static_cast<int>(n);
    m->textTruncated = e.truncated;
    return m;
}

ModelOutput RSRefSeg2SegmentationModel::decode(const FeaturesPtr &image, const FeaturesPtr &text)
{
    const ImageSizeOutput o = decodeAtSize(image, text, inputSize(), inputSize());
    ModelOutput out;
    out.logits = o.logits;
    out.activation = o.activation;
    out.relevance = o.relevance;
    out.iou = o.iou;
    return out;
}

ImageSizeOutput RSRefSeg2SegmentationModel::decodeAtSize(const FeaturesPtr &image, const FeaturesPtr &text, int width,
                                                         int height)
{
    c10::InferenceMode guard;
    // Features read back from the disk cache live on the CPU.
    const RSRefSeg2ImageFeatures img{image->at("embedding").to(d->compute.device), image->at("s0").to(d->compute.device),
                                     image->at("s1").to(d->compute.device), image->at("siglip").to(d->compute.device)};
    const RSRefSeg2TextFeatures txt{text->at("tokens").to(d->compute.device), text->at("pooled").to(d->compute.device)};
    const torch::Tensor valid = image->at("valid");
    const int64_t vh = valid[0].item<int64_t>();
    const int64_t vw = valid[1].item<int64_t>();
    const RSRefSeg2DecodeOutput o = d->model->decode(img, txt);
    ImageSizeOutput out;
    out.logits = tensorToMat(d->model->postprocess(o.lowResLogits, vh, vw, height, width)[0][0]);
    out.lowResLogits = tensorToMat(o.lowResLogits[0][0]);
    // D over the image region (the padding cropped at the decoder's grid, rounded up).
    const int64_t s = inputSize();
    const int64_t m = o.densePrompt.size(-1);
    const torch::Tensor dense = o.densePrompt[0][0].slice(0, 0, (vh * m + s - 1) / s).slice(1, 0, (vw * m + s - 1) / s);
    out.activation = tensorToMat(dense);
    out.relevance = torch::sigmoid(dense.to(torch::kFloat32)).max().item<float>();
    out.iou = o.iou[0].to(torch::kFloat32).item<float>();
    return out;
}

} // namespace rsrefseg
