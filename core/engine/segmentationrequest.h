// SegmentationRequest: one segmentation job: a raster, one or more queries, what to write for
// each, and the settings. Handed to SegmentationEngine::run().
//
//   SegmentationRequest r;
//   r.raster = "scene.tif";
//   r.queries = {"the white storage tanks"};
//   r.outputs = {{"tanks.tif", "", "tanks.gpkg"}};     // mask, probability, vector
//   r.settings.mode = SegmentationSettings::Mode::Tiled;
#pragma once

#include "engine/maskpipeline.h"
#include "engine/segmentationsettings.h"

#include <string>
#include <vector>

namespace rsrefseg {

struct SegmentationRequest
{
    std::string raster;
    std::vector<std::string> queries;
    // One per query (or empty: nothing written; results still come through Feedback::onRows
    // and the result object).
    std::vector<QueryOutputs> outputs;
    SegmentationSettings settings;
    bool overwrite = false;
    // Scratch folder parent; empty: the folder of the first output (same filesystem), else the
    // system's temporary folder.
    std::string workDir;
};

} // namespace rsrefseg
