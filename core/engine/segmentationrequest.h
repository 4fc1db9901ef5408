// SegmentationRequest: one segmentation job: a raster, one or more queries, what to write for
// each, and the settings. Handed to SegmentationEngine::run(), which validates it first; the
// CLI and the desktop call validate() themselves to refuse bad input before a model loads.
//
//   SegmentationRequest r;
//   r.raster = "scene.tif";
//   r.queries = {"the white storage tanks"};
//   r.outputs = {{"tanks.tif", "", "tanks.gpkg"}};     // mask, probability, vector
//   r.settings.mode = SegmentationSettings::Mode::Tiled;
//   r.validate();                                      // throws Error naming the problem
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

    // Everything that can be checked without opening the raster: the settings
    // (SegmentationSettings::validate), the queries (QueryList::validate: at least one, none
    // empty) and one set of outputs per query (or none). Throws Error naming the first problem.
    void validate() const;
};

} // namespace rsrefseg
