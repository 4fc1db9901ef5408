#include "model/rsrefseg/rsrefsegconfig.h"

#include "common/error.h"

namespace rsrefseg {

int64_t RSRefSegConfig::promptGrid() const
{
    int64_t g = siglipGrid();
    for (int64_t i = 0; i < downSpatialTimes; ++i)
        g = (g - 1) / 2 + 1; // 3x3 conv, stride 2, padding 1
    return g;
}

RSRefSegConfig RSRefSegConfig::rsrefsegB()
{
    RSRefSegConfig c;
    c.siglip = SiglipConfig::so400mPatch14_384();
    c.sam = SamConfig::samVitBase();
    return c;
}

nlohmann::json RSRefSegConfig::toJson() const
{
    return {{"siglip", siglip.toJson()},
            {"sam", sam.toJson()},
            {"prompter", {{"down_spatial_times", downSpatialTimes}, {"with_dense_feat", true}}},
            {"mask_threshold", maskThreshold},
            {"preprocess",
             {{"image_size", imageSize()},
              {"siglip_image_size", siglipImageSize()},
              {"resize", "bilinear (OpenCV INTER_LINEAR on uint8), aspect ratio not kept"},
              {"scale", 1.0 / 255.0},
              {"sam_mean", samMean},
              {"sam_std", samStd},
              {"siglip_mean", siglipMean},
              {"siglip_std", siglipStd}}}};
}

namespace {
template <typename T> T field(const nlohmann::json &j, const char *key, const std::string &source, const std::string &path)
{
    if (!j.is_object() || !j.contains(key))
        throw Error(source + ": missing field '" + path + key + "'");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception &) {
        throw Error(source + ": field '" + path + key + "' has the wrong type");
    }
}
} // namespace

RSRefSegConfig RSRefSegConfig::fromJson(const nlohmann::json &json, const std::string &source)
{
    RSRefSegConfig c;
    if (!json.is_object())
        throw Error(source + ": the model configuration is not a JSON object");
    c.siglip = SiglipConfig::fromJson(field<nlohmann::json>(json, "siglip", source, ""), source + " (siglip)");
    c.sam = SamConfig::fromJson(field<nlohmann::json>(json, "sam", source, ""), source + " (sam)");
    const auto prompter = field<nlohmann::json>(json, "prompter", source, "");
    c.downSpatialTimes = field<int64_t>(prompter, "down_spatial_times", source, "prompter.");
    c.maskThreshold = field<double>(json, "mask_threshold", source, "");
    const auto pre = field<nlohmann::json>(json, "preprocess", source, "");
    c.samMean = field<std::array<double, 3>>(pre, "sam_mean", source, "preprocess.");
    c.samStd = field<std::array<double, 3>>(pre, "sam_std", source, "preprocess.");
    c.siglipMean = field<std::array<double, 3>>(pre, "siglip_mean", source, "preprocess.");
    c.siglipStd = field<std::array<double, 3>>(pre, "siglip_std", source, "preprocess.");
    c.validate(source);
    return c;
}

void RSRefSegConfig::validate(const std::string &source) const
{
    if (downSpatialTimes < 0 || downSpatialTimes > 8)
        throw Error(source + ": prompter.down_spatial_times must be between 0 and 8");
    if (!(maskThreshold > 0.0 && maskThreshold < 1.0))
        throw Error(source + ": mask_threshold must be between 0 and 1");
    if (siglip.vision.hiddenSize != siglip.text.hiddenSize)
        throw Error(source + ": SigLIP vision and text hidden sizes differ");
    if (sam.vision.outputChannels != sam.promptEncoder.hiddenSize ||
        sam.promptEncoder.hiddenSize != sam.maskDecoder.hiddenSize)
        throw Error(source + ": SAM output, prompt and decoder channels must be equal");
    if (sam.promptEncoder.imageEmbeddingSize() != samGrid())
        throw Error(source + ": SAM prompt encoder grid differs from the vision encoder grid");
    for (double s : samStd)
        if (!(s > 0.0))
            throw Error(source + ": preprocess.sam_std must be positive");
    for (double s : siglipStd)
        if (!(s > 0.0))
            throw Error(source + ": preprocess.siglip_std must be positive");
}

} // namespace rsrefseg
