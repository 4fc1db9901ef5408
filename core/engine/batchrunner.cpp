#include "engine/batchrunner.h"

#include "common/error.h"
#include "engine/batchmanifest.h"
#include "engine/querylist.h"
#include "engine/workfolder.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include <fnmatch.h>
#include <unistd.h>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> splitList(const std::string &text)
{
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item = QueryList::trimmed(item);
        if (!item.empty())
            out.push_back(item);
    }
    return out;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool isUnder(const fs::path &path, const fs::path &folder)
{
    std::error_code ec;
    const fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
    const fs::path f = fs::weakly_canonical(fs::absolute(folder), ec);
    auto pi = p.begin();
    for (auto fi = f.begin(); fi != f.end(); ++fi, ++pi) {
        if (fi->empty())
            continue;
        if (pi == p.end() || *pi != *fi)
            return false;
    }
    return true;
}

std::string hostName()
{
    char buf[256] = {0};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return "unknown";
    return buf;
}

// What a killed run leaves in an output folder: scratch folders and AtomicOutput temporaries.
void removeLeftovers(const fs::path &folder)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return;
    std::vector<fs::path> stale;
    for (const auto &e : fs::directory_iterator(folder, ec)) {
        const std::string name = e.path().filename().string();
        if (WorkFolder::isWorkFolderName(name) || (name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string::npos))
            stale.push_back(e.path());
    }
    for (const fs::path &p : stale)
        fs::remove_all(p, ec);
}

// The (input, query) pairs that some manifest in the folder records as done.
std::set<std::pair<std::string, std::string>> finishedItems(const std::string &outDir)
{
    std::set<std::pair<std::string, std::string>> finished;
    for (const nlohmann::json &r : BatchManifest::readFolder(outDir))
        if (r.value("status", "") == "done")
            finished.insert({r.value("input", ""), r.value("query", "")});
    return finished;
}

// Items come grouped by raster: [first, last) of each raster's items.
std::vector<std::pair<size_t, size_t>> groupByRaster(const std::vector<BatchRunner::WorkItem> &items)
{
    std::vector<std::pair<size_t, size_t>> groups;
    for (size_t i = 0; i < items.size();) {
        size_t j = i;
        while (j < items.size() && items[j].relative == items[i].relative)
            ++j;
        groups.emplace_back(i, j);
        i = j;
    }
    return groups;
}

// The folder a raster's outputs go to.
fs::path outputFolderOf(const BatchRunner::WorkItem &item)
{
    const QueryOutputs &o = item.outputs;
    return fs::path(!o.mask.empty() ? o.mask : !o.vector.empty() ? o.vector : o.probability).parent_path();
}

nlohmann::json doneRecord(const nlohmann::json &base, const std::string &query, const SegmentationResult &r,
                          const QueryResult &q)
{
    nlohmann::json rec = base;
    rec["query"] = query;
    rec["status"] = "done";
    rec["outputs"] = q.outputs.toJson();
    rec["timings"] = {{"raster_s", r.seconds},  {"read_s", r.readSeconds}, {"encode_s", r.encodeSeconds},
                      {"decode_s", q.decodeSeconds}, {"post_s", q.postSeconds}};
    rec["error"] = nullptr;
    rec["polygons"] = q.polygonCount;
    rec["object_pixels"] = q.objectPixels;
    rec["tiles"] = r.tileCount;
    rec["tiles_encoded"] = r.tilesEncoded;
    // Tiles that could not be read (corrupt blocks): left out as nodata, named here.
    rec["tiles_failed"] = nlohmann::json::array();
    for (const FailedTile &f : r.failedTiles)
        rec["tiles_failed"].push_back(f.toJson());
    rec["finished"] = SegmentationEngine::isoTimeNow();
    return rec;
}

nlohmann::json failedRecord(const nlohmann::json &base, const std::string &query, double seconds,
                            const std::string &error)
{
    nlohmann::json rec = base;
    rec["query"] = query;
    rec["status"] = "failed";
    rec["outputs"] = nlohmann::json::object();
    rec["timings"] = {{"raster_s", seconds}};
    rec["error"] = error;
    rec["finished"] = SegmentationEngine::isoTimeNow();
    return rec;
}

} // namespace

ShardSpec ShardSpec::parse(const std::string &text)
{
    const size_t slash = text.find('/');
    ShardSpec s;
    try {
        if (slash == std::string::npos)
            throw Error("");
        size_t a = 0;
        size_t b = 0;
        s.index = std::stoi(text.substr(0, slash), &a);
        s.count = std::stoi(text.substr(slash + 1), &b);
        if (a != slash || b != text.size() - slash - 1)
            throw Error("");
    } catch (const std::exception &) {
        throw Error("shard '" + text + "' must be K/N (e.g. 2/8)");
    }
    if (s.count < 1 || s.index < 1 || s.index > s.count)
        throw Error("shard '" + text + "' must satisfy 1 <= K <= N");
    return s;
}

BatchRunner::BatchRunner(SegmentationEngine &engine, const Options &options)
    : mEngine(engine)
    , mOptions(options)
{
}

BatchRunner::Formats BatchRunner::parseFormats(const std::string &text)
{
    Formats f;
    f.mask = false;
    f.vectorExtension.clear();
    const std::vector<std::string> items = splitList(lower(text));
    if (items.empty())
        throw Error("no output format given (use e.g. tif,gpkg)");
    for (const std::string &i : items) {
        if (i == "tif" || i == "tiff" || i == "mask") {
            f.mask = true;
        } else if (i == "prob" || i == "prob8") {
            if (f.probability)
                throw Error("formats '" + text + "': one probability format at most");
            f.probability = true;
            f.probabilityType = SegmentationSettings::ProbabilityType::UInt8;
        } else if (i == "prob32") {
            if (f.probability)
                throw Error("formats '" + text + "': one probability format at most");
            f.probability = true;
            f.probabilityType = SegmentationSettings::ProbabilityType::Float32;
        } else if (i == "gpkg" || i == "shp" || i == "geojson" || i == "fgb") {
            if (!f.vectorExtension.empty())
                throw Error("formats '" + text + "': one vector format at most");
            f.vectorExtension = "." + i;
        } else {
            throw Error("unknown output format '" + i + "' (use tif, prob, prob32, gpkg, shp, geojson or fgb)");
        }
    }
    return f;
}

std::vector<std::string> BatchRunner::listRasters(const std::string &dir, bool recursive, const std::string &patterns)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error("input folder '" + dir + "' does not exist");
    const std::vector<std::string> globs = splitList(patterns);
    if (globs.empty())
        throw Error("no file pattern given");
    std::vector<std::string> out;
    auto consider = [&](const fs::directory_entry &e) {
        const std::string name = e.path().filename().string();
        if (name.empty() || name[0] == '.')
            return;
        std::error_code ec2;
        if (!e.is_regular_file(ec2))
            return;
        for (const std::string &g : globs)
            if (::fnmatch(g.c_str(), name.c_str(), FNM_CASEFOLD) == 0) {
                out.push_back(fs::relative(e.path(), dir, ec2).generic_string());
                return;
            }
    };
    if (recursive) {
        fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
        for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (!name.empty() && name[0] == '.' && it->is_directory()) {
                it.disable_recursion_pending(); // hidden folders (scratch, temporaries)
                continue;
            }
            consider(*it);
        }
    } else {
        for (const auto &e : fs::directory_iterator(dir, ec))
            consider(e);
    }
    if (ec)
        throw Error("cannot list input folder '" + dir + "': " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<BatchRunner::WorkItem> BatchRunner::plan() const
{
    QueryList::validate(mOptions.queries);
    std::vector<std::string> rasters = listRasters(mOptions.inputDir, mOptions.recursive, mOptions.patterns);
    // Never take our own outputs for inputs (an output folder inside the input folder).
    if (!mOptions.outDir.empty())
        rasters.erase(std::remove_if(rasters.begin(), rasters.end(),
                                     [&](const std::string &r) {
                                         return isUnder(fs::path(mOptions.inputDir) / r, mOptions.outDir);
                                     }),
                      rasters.end());
    // Output folder per raster: its stem, or stem_ext where two rasters of a folder share a stem.
    std::map<std::string, int> stems;
    for (const std::string &r : rasters) {
        const fs::path p(r);
        ++stems[(p.parent_path() / p.stem()).generic_string()];
    }
    std::vector<WorkItem> items;
    for (size_t i = 0; i < rasters.size(); ++i) {
        if (!mOptions.shard.contains(i))
            continue;
        const fs::path rel(rasters[i]);
        std::string folder = rel.stem().string();
        if (stems[(rel.parent_path() / rel.stem()).generic_string()] > 1) {
            std::string ext = rel.extension().string();
            if (!ext.empty())
                ext.erase(0, 1);
            folder += "_" + ext;
        }
        const fs::path outFolder = fs::path(mOptions.outDir) / rel.parent_path() / folder;
        for (const std::string &q : mOptions.queries) {
            WorkItem w;
            w.raster = (fs::path(mOptions.inputDir) / rel).string();
            w.relative = rasters[i];
            w.query = QueryList::trimmed(q);
            const std::string slug = QueryList::slug(w.query);
            if (mOptions.formats.mask)
                w.outputs.mask = (outFolder / (slug + ".tif")).string();
            if (mOptions.formats.probability)
                w.outputs.probability = (outFolder / (slug + ".prob.tif")).string();
            if (!mOptions.formats.vectorExtension.empty())
                w.outputs.vector = (outFolder / (slug + mOptions.formats.vectorExtension)).string();
            items.push_back(std::move(w));
        }
    }
    return items;
}

void BatchRunner::preflight(const Options &options)
{
    if (options.outDir.empty())
        throw Error("no output folder given");
    // The settings and queries as every item's request will carry them.
    SegmentationRequest request;
    request.queries = options.queries;
    request.settings = options.settings;
    request.validate();
    if (!options.formats.mask && !options.formats.probability && options.formats.vectorExtension.empty())
        throw Error("no output format selected");
    listRasters(options.inputDir, options.recursive, options.patterns);
    std::error_code ec;
    const std::string manifestPath =
        (fs::path(options.outDir) / BatchManifest::fileName(options.shard.index, options.shard.count)).string();
    if (!options.resume && fs::exists(manifestPath, ec) && fs::file_size(manifestPath, ec) > 0)
        throw Error("'" + manifestPath + "' records an earlier run: use --resume to continue it, or another output folder");
}

BatchRunner::Summary BatchRunner::run(Feedback *feedback)
{
    const auto t0 = std::chrono::steady_clock::now();
    preflight(mOptions);
    const std::vector<WorkItem> items = plan();

    std::error_code ec;
    fs::create_directories(mOptions.outDir, ec);
    if (!fs::is_directory(mOptions.outDir, ec))
        throw Error("cannot create output folder '" + mOptions.outDir + "'" + (ec ? ": " + ec.message() : ""));
    const std::string manifestPath =
        (fs::path(mOptions.outDir) / BatchManifest::fileName(mOptions.shard.index, mOptions.shard.count)).string();

    // What is finished already (any shard's manifest): skipped on resume.
    const std::set<std::pair<std::string, std::string>> finished =
        mOptions.resume ? finishedItems(mOptions.outDir) : std::set<std::pair<std::string, std::string>>();
    BatchManifest manifest(manifestPath);

    Summary summary;
    summary.items = static_cast<int>(items.size());
    summary.manifest = manifestPath;
    // One engine run per raster for its unfinished queries.
    const std::vector<std::pair<size_t, size_t>> groups = groupByRaster(items);
    summary.rasters = static_cast<int>(groups.size());
    for (size_t g = 0; g < groups.size(); ++g) {
        if (feedback)
            feedback->throwIfCancelled();
        std::vector<const WorkItem *> pending;
        for (size_t i = groups[g].first; i < groups[g].second; ++i) {
            if (finished.count({items[i].relative, items[i].query}))
                ++summary.skipped;
            else
                pending.push_back(&items[i]);
        }
        if (!pending.empty())
            runRaster(pending, g, groups.size(), manifest, summary, feedback);
    }
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return summary;
}

SegmentationRequest BatchRunner::requestFor(const std::vector<const WorkItem *> &pending) const
{
    SegmentationRequest request;
    request.raster = pending.front()->raster;
    request.settings = mOptions.settings;
    request.settings.probabilityType = mOptions.formats.probabilityType;
    // On resume, outputs without a "done" record are leftovers of a killed run.
    request.overwrite = mOptions.overwrite || mOptions.resume;
    for (const WorkItem *w : pending) {
        request.queries.push_back(w->query);
        request.outputs.push_back(w->outputs);
    }
    return request;
}

// Raster `index` of `count` with its unfinished queries: one engine run, one manifest record per
// query ("done", or "failed" with the error: the batch goes on).
void BatchRunner::runRaster(const std::vector<const WorkItem *> &pending, size_t index, size_t count,
                            BatchManifest &manifest, Summary &summary, Feedback *feedback)
{
    const std::string &rel = pending.front()->relative;
    const std::string label = "[" + std::to_string(index + 1) + "/" + std::to_string(count) + "] " + rel;
    const SegmentationRequest request = requestFor(pending);
    Feedback inner;
    inner.linkParent(feedback);
    if (feedback) {
        const double base = static_cast<double>(index) / static_cast<double>(count);
        inner.onProgress = [feedback, base, label, count](const ProgressInfo &p) {
            ProgressInfo q = p;
            q.fraction = base + p.fraction / static_cast<double>(count);
            q.detail = label;
            feedback->setProgress(q);
        };
        inner.onTile = feedback->onTile;
        inner.onRows = feedback->onRows;
        inner.onMessage = feedback->onMessage;
        inner.onWarning = feedback->onWarning;
    }

    const auto ts = std::chrono::steady_clock::now();
    const nlohmann::json base{{"input", rel},         {"shard", mOptions.shard.toString()},
                              {"host", hostName()},   {"pid", static_cast<int>(::getpid())},
                              {"started", SegmentationEngine::isoTimeNow()}};
    std::error_code ec;
    const fs::path outFolder = outputFolderOf(*pending.front());
    const bool folderExisted = fs::is_directory(outFolder, ec);
    try {
        if (mOptions.resume)
            removeLeftovers(outFolder);
        fs::create_directories(outFolder, ec);
        if (!fs::is_directory(outFolder, ec))
            throw Error("cannot create output folder '" + outFolder.string() + "'" + (ec ? ": " + ec.message() : ""));
        const SegmentationResult r = mEngine.run(request, &inner);
        for (size_t k = 0; k < pending.size(); ++k) {
            const QueryResult &q = r.queries[k];
            manifest.append(doneRecord(base, pending[k]->query, r, q));
            ++summary.done;
            if (feedback)
                feedback->message(label + " '" + pending[k]->query + "': done, " + std::to_string(q.polygonCount) +
                                  " polygon(s)");
        }
    } catch (const CancelledError &) {
        // Nothing recorded for the raster in progress; its outputs never appeared.
        if (!folderExisted)
            fs::remove(outFolder, ec);
        throw;
    } catch (const std::exception &e) {
        if (!folderExisted)
            fs::remove(outFolder, ec); // only if empty: a failed raster leaves no folder behind
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
        for (const WorkItem *w : pending) {
            manifest.append(failedRecord(base, w->query, secs, e.what()));
            ++summary.failed;
        }
        if (feedback)
            feedback->warning(label + ": failed: " + e.what());
    }
}

} // namespace rsrefseg
