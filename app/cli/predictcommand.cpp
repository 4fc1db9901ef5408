#include "predictcommand.h"

#include "clisupport.h"
#include "common/error.h"
#include "engine/imagepreprocessor.h"
#include "geo/atomicoutput.h"
#include "model/rsrefseg/modelbundle.h"
#include "model/weights/safetensorswriter.h"
#include "text/sigliptokenizer.h"

#include <CLI/CLI.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

namespace rsrefseg::cli {

namespace {

struct PredictArgs
{
    std::string model;
    std::string image;
    std::string text;
    std::string out;
    std::string logits;
    std::string device = "cpu";
    std::string dtype = "f32";
    int threads = 0;
    bool overwrite = false;
};

std::string lowerExtension(const std::string &path)
{
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

void run(const PredictArgs &a)
{
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    // Check everything cheap before loading anything.
    if (a.text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error("--text is empty: describe what to segment, e.g. --text \"the white storage tank\"");
    const std::string ext = lowerExtension(a.out);
    if (ext != ".png" && ext != ".tif" && ext != ".tiff")
        throw Error("--out '" + a.out + "': the mask is written as .png or .tif (lossless)");
    AtomicOutput maskOut(a.out, a.overwrite);
    std::unique_ptr<AtomicOutput> logitsOut;
    if (!a.logits.empty()) {
        if (lowerExtension(a.logits) != ".safetensors")
            throw Error("--logits '" + a.logits + "': logits are written as .safetensors");
        logitsOut = std::make_unique<AtomicOutput>(a.logits, a.overwrite);
    }

    torch::set_num_threads(a.threads > 0 ? a.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    const std::string modelDir = resolveModelDir(a.model);
    const ModelBundle bundle = ModelBundle::open(modelDir);
    const RSRefSegConfig &config = bundle.manifest().config;
    if (!bundle.manifest().trained)
        std::cerr << "rsrefseg: warning: model '" << modelDir << "' is marked untrained: its masks are not meaningful\n";
    SiglipTokenizer::Options tokOptions;
    tokOptions.maxPositions = static_cast<int>(config.siglip.text.maxPositionEmbeddings);
    const SiglipTokenizer tokenizer(bundle.tokenizerPath(), tokOptions);
    const SiglipTokenizer::Encoding enc = tokenizer.encode(a.text);
    if (!enc.warning.empty())
        std::cerr << "rsrefseg: warning: " << enc.warning << "\n";

    const Raster raster = Raster::open(a.image);
    const RasterInfo &info = raster.info();
    const BandSelection bands = BandSelection::automatic(info);
    const ContrastStretch stretch = raster.computeStretch(bands, StretchOptions());
    const RgbImage rgb = raster.readRgb8({0, 0, info.width, info.height}, info.width, info.height, bands, stretch,
                                         Raster::Resampling::Nearest);

    RSRefSegModel model = bundle.load({a.device, ModelBundle::parseDtype(a.dtype)});
    const auto tLoaded = Clock::now();
    c10::InferenceMode guard;
    const torch::Tensor input = ImagePreprocessor::toModelInput(rgb.rgb, static_cast<int>(config.imageSize()));
    const torch::Tensor ids = torch::tensor(enc.ids, torch::kLong).unsqueeze(0);
    const torch::Tensor mask = torch::tensor(enc.attentionMask, torch::kLong).unsqueeze(0);
    const DecodeOutput out = model->predict(input, ids, mask);
    const torch::Tensor logits = model->upsampleLogits(out.lowResLogits, info.height, info.width)[0][0].cpu();
    const torch::Tensor objects = logits.sigmoid().gt(config.maskThreshold);
    const auto tDone = Clock::now();

    cv::Mat maskImage(info.height, info.width, CV_8UC1);
    const torch::Tensor bytes = objects.to(torch::kUInt8).mul(255).contiguous();
    std::memcpy(maskImage.data, bytes.data_ptr<uint8_t>(), static_cast<size_t>(info.width) * info.height);
    // Write under the final extension inside the temporary folder, so OpenCV picks the format.
    if (!cv::imwrite(maskOut.tempPath(), maskImage))
        throw Error("cannot write '" + a.out + "' (disk full or not writable?)");
    if (logitsOut) {
        const torch::Tensor global = out.globalActivationLogit[0].to(torch::kFloat32).cpu();
        SafetensorsWriter::write(logitsOut->tempPath(),
                                 {{"low_res_logits", out.lowResLogits.to(torch::kFloat32).cpu().contiguous()},
                                  {"logits", logits.contiguous()},
                                  {"global_activation_logit", global.contiguous()},
                                  {"global_activation", global.sigmoid().contiguous()},
                                  {"iou_prediction", out.iouPrediction.to(torch::kFloat32).cpu().contiguous()}},
                                 {{"text", a.text}, {"model_id", bundle.manifest().modelId}, {"image", a.image}});
        logitsOut->commit();
    }
    maskOut.commit();

    const int64_t count = objects.sum().item<int64_t>();
    const double relevance = out.globalActivationLogit.sigmoid().max().item<double>();
    std::cout << "Mask:        " << a.out << " (" << info.width << " x " << info.height << ")\n"
              << "Object:      " << count << " pixels ("
              << 100.0 * static_cast<double>(count) / (static_cast<double>(info.width) * info.height) << " %)\n"
              << "Relevance:   " << relevance << " (max sigmoid of the global activation)\n"
              << "IoU pred.:   " << out.iouPrediction[0].item<double>() << "\n"
              << "Tokens:      " << enc.ids.size() << (enc.truncated ? " (truncated)" : "") << "\n"
              << "Time:        "
              << std::chrono::duration<double>(tLoaded - t0).count() << " s load, "
              << std::chrono::duration<double>(tDone - tLoaded).count() << " s inference\n";
}

} // namespace

void addPredictCommand(CLI::App &app)
{
    auto args = std::make_shared<PredictArgs>();
    CLI::App *cmd = app.add_subcommand("predict", "Segment what a sentence describes in one image (no georeference needed)");
    cmd->add_option("--model", args->model, "Model bundle folder (default: the model installed with rsrefseg)");
    cmd->add_option("--image", args->image, "Image (PNG, JPEG, TIFF or any GDAL raster)")->required();
    cmd->add_option("--text", args->text, "Referring expression, e.g. \"the white storage tank on the left\"")->required();
    cmd->add_option("--out", args->out, "Mask to write (.png or .tif; 255 = object)")->required();
    cmd->add_option("--logits", args->logits,
                    "Also write low-resolution and full-size logits and the global activation (.safetensors)");
    cmd->add_option("--device", args->device, "cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--dtype", args->dtype, "f32 or bf16 (f16 on GPUs)")->capture_default_str();
    cmd->add_option("--threads", args->threads, "CPU threads (0: all)");
    cmd->add_flag("--overwrite", args->overwrite, "Replace existing outputs");
    cmd->callback([args] { run(*args); });
}

} // namespace rsrefseg::cli
