#include "predictcommand.h"

#include "clisupport.h"
#include "common/error.h"
#include "geo/atomicoutput.h"
#include "modelhub/imagepredictor.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

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

    ModelRequest request;
    request.source = a.model;
    request.compute.device = a.device;
    request.compute.dtype = a.dtype;
    request.compute.threads = a.threads;
    const OpenedModel opened = openModel(request);
    SegmentationModel &model = *opened.model;
    const ImagePredictor::Text text = ImagePredictor::encodeText(model, a.text);
    if (!text.warning.empty())
        std::cerr << "rsrefseg: warning: " << text.warning << "\n";
    const cv::Mat rgb = ImagePredictor::readImage(a.image);
    const auto tLoaded = Clock::now();
    const ImagePredictor::Result result = ImagePredictor::predict(model, rgb, text);
    const auto tDone = Clock::now();

    // Write under the final extension inside the temporary folder, so the format follows it.
    ImagePredictor::writeMask(result, maskOut.tempPath(), a.out);
    if (logitsOut) {
        ImagePredictor::writeLogits(result, logitsOut->tempPath(),
                                    {{"text", a.text}, {"model_id", model.modelId()}, {"image", a.image}});
        logitsOut->commit();
    }
    maskOut.commit();

    const int width = rgb.cols;
    const int height = rgb.rows;
    std::cout << "Mask:        " << a.out << " (" << width << " x " << height << ")\n"
              << "Object:      " << result.objectPixels << " pixels ("
              << 100.0 * static_cast<double>(result.objectPixels) / (static_cast<double>(width) * height) << " %)\n"
              << "Relevance:   " << static_cast<double>(result.output.relevance)
              << " (max sigmoid of the global activation)\n"
              << "IoU pred.:   " << static_cast<double>(result.output.iou) << "\n"
              << "Tokens:      " << text.tokens << (text.truncated ? " (truncated)" : "") << "\n"
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
