// SyntheticDatasetWriter: writes SyntheticSceneGenerator scenes as a data set in the RSRefSeg
// JSONL layout that RSRefSegDataset (and upstream RSRefSeg's RefSegDataset) reads:
//   <outDir>/images/<split>_000000.png ...   (or .tif: GeoTIFF, see below)
//   <outDir>/<split>.jsonl                    one line per sentence:
//   {"file_name":"train_000000.png","sent":"the red building left of the road",
//    "segmentation":[{"size":[512,512],"counts":"..."}],"bbox":[x,y,w,h],"area":812,
//    "split":"train","category_name":"building","category_id":1,"image_id":0,"ann_id":0}
// "segmentation" is a one-element list as in RRSIS-D (upstream reads segmentation[0]); "bbox"
// is COCO [x, y, width, height] of the mask (pycocotools toBbox).
// With geotiff, each scene is a 3-band DEFLATE-compressed GeoTIFF in UTM zone 33N (EPSG:32633),
// covering 256 m x 256 m (0.5 m pixels at 512 px; 256/size m in general); scene i's top-left
// corner is at easting 390000 + 300 * (i mod 64), northing 5820000 - 300 * (floor(i/64) mod 64).
// Every file is written to a temporary name and renamed when complete; the JSONL comes last.
//
//   SyntheticDatasetWriter::Options o;
//   o.outDir = "synth"; o.count = 100; o.seed = 1;
//   SyntheticDatasetWriter::Summary s = SyntheticDatasetWriter(o).write();
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace rsrefseg {

class SyntheticDatasetWriter
{
  public:
    static constexpr std::uint64_t kMaxCount = 10000000;

    struct Options
    {
        std::string outDir;
        std::uint64_t count = 0;  // scenes, 1..kMaxCount
        std::uint64_t seed = 0;
        int size = 512;           // SyntheticSceneGenerator::kMinSize..kMaxSize
        int perScene = 1;         // sentences per scene, each with its own target
        bool geotiff = false;
        std::string split = "train"; // letters, digits, '_' and '-' (it names files)
    };

    struct Summary
    {
        std::uint64_t scenes = 0;
        std::uint64_t sentences = 0;
        std::string jsonlPath;
        std::string imageDir;
    };

    // Throws rsrefseg::Error naming the option when one is out of range.
    explicit SyntheticDatasetWriter(Options options);

    // Writes the data set. `progress(done, total)` is called after each scene; returning false
    // cancels (rsrefseg::CancelledError; images written so far stay, the JSONL is not written).
    Summary write(const std::function<bool(std::uint64_t, std::uint64_t)> &progress = {}) const;

    const Options &options() const { return mOptions; }

  private:
    Options mOptions;
};

} // namespace rsrefseg
