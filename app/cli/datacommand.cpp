#include "datacommand.h"

#include "common/error.h"
#include "data/datasetchecker.h"
#include "data/phraselistconverter.h"
#include "data/rrsisdconverter.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <sstream>

namespace rsrefseg::cli {

namespace {

struct ConvertArgs
{
    std::string refs;
    std::string instances;
    std::string root;
    std::string images;
    std::string masks;
    std::string splits = "train,val,test";
    std::string out;
    bool overwrite = false;
    bool quiet = false;
};

struct CheckArgs
{
    std::string data;
    std::string images;
    bool json = false;
    bool strict = false;
};

// A line on stderr per tenth for long conversions.
std::function<void(std::size_t, std::size_t)> progressPrinter(const std::string &what, bool quiet)
{
    auto reported = std::make_shared<std::size_t>(0);
    return [=](std::size_t done, std::size_t total) {
        if (quiet || total < 200 || done * 10 / total <= *reported)
            return;
        *reported = done * 10 / total;
        std::cerr << "data convert " << what << ": " << done << "/" << total << "\n";
    };
}

std::vector<std::string> splitList(const std::string &text)
{
    std::vector<std::string> out;
    std::stringstream s(text);
    std::string item;
    while (std::getline(s, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

void convertRrsisd(const ConvertArgs &a)
{
    RrsisdConverter::Options o;
    o.refs = a.refs;
    o.instances = a.instances;
    o.images = a.images;
    o.out = a.out;
    o.overwrite = a.overwrite;
    std::cout << RrsisdConverter(o).run(progressPrinter("rrsisd", a.quiet)).toText();
}

void convertPhraseList(const PhraseListConverter::Layout &layout, const ConvertArgs &a)
{
    PhraseListConverter::Options o;
    o.root = a.root;
    o.images = a.images;
    o.masks = a.masks;
    o.out = a.out;
    o.splits = splitList(a.splits);
    o.overwrite = a.overwrite;
    std::cout << PhraseListConverter(layout, o).run(progressPrinter(layout.name, a.quiet)).toText();
}

void check(const CheckArgs &a)
{
    const DatasetCheckReport report = DatasetChecker::check(a.data, a.images);
    if (a.json)
        std::cout << report.toJson().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    else
        std::cout << report.toText();
    std::cout.flush();
    if (report.unusable())
        throw Error("data check: " + a.data + " has unusable lines (" + std::to_string(report.lines - report.usable) +
                    " of " + std::to_string(report.lines) + ")");
    if (a.strict && !report.defects.empty())
        throw Error("data check: " + a.data + " has warnings (--strict)");
}

void addConvertCommon(CLI::App *cmd, ConvertArgs &a)
{
    cmd->add_option("--out", a.out, "The JSONL file to write")->required();
    cmd->add_flag("--overwrite", a.overwrite, "Replace an existing output file");
    cmd->add_flag("--quiet", a.quiet, "No progress lines");
}

void addPhraseListCommand(CLI::App *convert, const PhraseListConverter::Layout &layout, const std::string &title,
                          const std::shared_ptr<ConvertArgs> &args)
{
    CLI::App *cmd = convert->add_subcommand(layout.name, title);
    cmd->add_option("--root", args->root, "The data set folder (output_phrase_<split>.txt, " + layout.imageFolder +
                                              "/, " + layout.maskFolder + "/)")
        ->required();
    cmd->add_option("--images", args->images, "Image folder (default ROOT/" + layout.imageFolder + ")");
    cmd->add_option("--masks", args->masks, "Mask folder (default ROOT/" + layout.maskFolder + ")");
    cmd->add_option("--splits", args->splits, "Splits to convert, comma-separated")->capture_default_str();
    addConvertCommon(cmd, *args);
    cmd->callback([args, layout] { convertPhraseList(layout, *args); });
}

} // namespace

void addDataCommand(CLI::App &app)
{
    CLI::App *data = app.add_subcommand("data", "Convert the public benchmarks to RSRefSeg JSONL and check data sets");
    data->require_subcommand(1);
    CLI::App *convert =
        data->add_subcommand("convert", "Convert RRSIS-D, RefSegRS or RISBench as distributed to RSRefSeg JSONL");
    convert->require_subcommand(1);

    auto rrsisd = std::make_shared<ConvertArgs>();
    CLI::App *r = convert->add_subcommand("rrsisd", "RRSIS-D: refs(unc).p + instances.json + JPEG images");
    r->add_option("--refs", rrsisd->refs, "refs(unc).p (read without executing anything)")->required();
    r->add_option("--instances", rrsisd->instances, "instances.json")->required();
    r->add_option("--images", rrsisd->images, "Folder of the images (JPEGImages)")->required();
    addConvertCommon(r, *rrsisd);
    r->callback([rrsisd] { convertRrsisd(*rrsisd); });

    addPhraseListCommand(convert, PhraseListConverter::refSegRs(), "RefSegRS: phrase lists + images/ + masks/",
                         std::make_shared<ConvertArgs>());
    addPhraseListCommand(convert, PhraseListConverter::risBench(), "RISBench: phrase lists + img_rgb/ + mask/",
                         std::make_shared<ConvertArgs>());

    auto checkArgs = std::make_shared<CheckArgs>();
    CLI::App *c = data->add_subcommand("check", "Check an RSRefSeg JSONL data set against its images "
                                                "(exit 1 when any line is unusable)");
    c->add_option("data", checkArgs->data, "The JSONL file")->required();
    c->add_option("--images", checkArgs->images, "Folder of the images the lines name")->required();
    c->add_flag("--json", checkArgs->json, "Print the report as JSON");
    c->add_flag("--strict", checkArgs->strict, "Also fail on warnings (empty masks, duplicate sentences)");
    c->callback([checkArgs] { check(*checkArgs); });
}

} // namespace rsrefseg::cli
