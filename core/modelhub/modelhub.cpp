#include "modelhub/modelhub.h"

#include "common/error.h"
#include "engine/colourtestmodel.h"
#include "modelhub/bundledmodels.h"
#include "modelhub/bundlesummary.h"
#include "modelhub/rsrefseg2segmentationmodel.h"
#include "modelhub/rsrefsegsegmentationmodel.h"

#include <filesystem>

namespace rsrefseg {

namespace {

constexpr const char *kColourTest = "builtin:colour-test";
constexpr const char *kRandomPrefix = "random:";

void report(const ModelHub::Progress &progress, double f)
{
    if (progress && !progress(f))
        throw CancelledError();
}

std::string joined(const std::vector<std::string> &names)
{
    std::string s;
    for (const std::string &n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

std::vector<std::string> architectureIds()
{
    std::vector<std::string> ids;
    for (const ModelHub::Architecture &a : ModelHub::architectures())
        ids.push_back(a.id);
    return ids;
}

// The registered architecture a bundle's manifest names; an Error naming the manifest and the
// field otherwise.
const ModelHub::Architecture &architectureOf(const BundleSummary &summary)
{
    for (const ModelHub::Architecture &a : ModelHub::architectures())
        if (a.id == summary.architecture)
            return a;
    throw Error((std::filesystem::path(summary.dir) / "manifest.json").string() + ": unknown architecture '" +
                summary.architecture + "' in field 'architecture' (this program runs: " + joined(architectureIds()) +
                ")");
}

OpenedModel openColourTest(const ModelHub::Progress &progress)
{
    report(progress, 0.0);
    OpenedModel m;
    // The options the command line has always used for it (geometry tests compare against them).
    m.model = std::make_shared<ColourTestModel>(ColourTestModel::Options{256, 8, "builtin-colour-test-v1"});
    m.source = kColourTest;
    m.architecture = "colour-test";
    m.notices.push_back({Notice::Level::Info, "using the built-in colour test model (not a segmentation model)"});
    report(progress, 1.0);
    return m;
}

OpenedModel openRandom(const ModelRequest &request, const ModelHub::Progress &progress)
{
    const std::string arch = request.source.substr(std::char_traits<char>::length(kRandomPrefix));
    if (arch.empty())
        throw Error("'" + request.source + "': name an architecture preset or a bundle folder after random:, e.g. "
                    "random:rsrefseg-b");
    if (request.tokenizer.empty())
        throw Error("random weights (" + request.source + ") need a tokenizer (a SigLIP spiece.model)");
    const ModelHub::Architecture *found = nullptr;
    std::vector<std::string> presets;
    for (const ModelHub::Architecture &a : ModelHub::architectures()) {
        for (const std::string &p : a.presets) {
            presets.push_back(p);
            if (p == arch)
                found = &a;
        }
    }
    std::error_code ec;
    if (!found && std::filesystem::is_directory(arch, ec))
        found = &architectureOf(BundleSummary::read(arch));
    if (!found)
        throw Error("'" + request.source + "': '" + arch + "' is neither an architecture preset (" + joined(presets) +
                    ") nor a model bundle folder");
    if (!found->random)
        throw Error("architecture '" + found->id + "' offers no random weights");
    report(progress, 0.0);
    OpenedModel m;
    m.model = found->random(arch, request.tokenizer, request.compute, request.seed);
    m.source = request.source;
    m.architecture = found->id;
    report(progress, 1.0);
    return m;
}

OpenedModel openBundle(const ModelRequest &request, const ModelHub::Progress &progress)
{
    OpenedModel m;
    const std::string dir = BundledModels::resolve(request.source);
    if (request.source.empty())
        m.notices.push_back({Notice::Level::Info, "using the bundled model " + dir});
    const BundleSummary summary = BundleSummary::read(dir);
    const ModelHub::Architecture *arch = &architectureOf(summary);
    m.model = arch->open(dir, request.compute, progress);
    m.source = dir;
    m.architecture = arch->id;
    if (!m.model->trained())
        m.notices.push_back({Notice::Level::Warning, summary.untrainedWarning()});
    return m;
}

} // namespace

std::string noticeLine(const std::string &program, const Notice &notice)
{
    return program + (notice.level == Notice::Level::Warning ? ": warning: " : ": note: ") + notice.text;
}

const std::vector<ModelHub::Architecture> &ModelHub::architectures()
{
    // The one registry: a new architecture is one more entry here.
    static const std::vector<Architecture> registry = {
        {"rsrefseg",
         {"rsrefseg-b"},
         [](const std::string &dir, const ComputeOptions &compute, const Progress &progress) {
             return std::shared_ptr<SegmentationModel>(RSRefSegSegmentationModel::load(dir, compute, progress));
         },
         [](const std::string &arch, const std::string &tokenizer, const ComputeOptions &compute, uint64_t seed) {
             return std::shared_ptr<SegmentationModel>(
                 RSRefSegSegmentationModel::randomWeights(arch, tokenizer, compute, seed));
         }},
        {"rsrefseg2",
         {"rsrefseg2-l"},
         [](const std::string &dir, const ComputeOptions &compute, const Progress &progress) {
             return std::shared_ptr<SegmentationModel>(RSRefSeg2SegmentationModel::load(dir, compute, progress));
         },
         [](const std::string &arch, const std::string &tokenizer, const ComputeOptions &compute, uint64_t seed) {
             return std::shared_ptr<SegmentationModel>(
                 RSRefSeg2SegmentationModel::randomWeights(arch, tokenizer, compute, seed));
         }},
    };
    return registry;
}

const ModelHub::Architecture &ModelHub::architecture(const std::string &id)
{
    for (const Architecture &a : architectures())
        if (a.id == id)
            return a;
    throw Error("unknown model architecture '" + id + "' (this program runs: " + joined(architectureIds()) + ")");
}

OpenedModel ModelHub::open(const ModelRequest &request, const Progress &progress)
{
    if (request.source == kColourTest)
        return openColourTest(progress);
    if (request.source.rfind(kRandomPrefix, 0) == 0)
        return openRandom(request, progress);
    return openBundle(request, progress);
}

} // namespace rsrefseg
