#include "tinybundle.h"

#include "model/rsrefseg/modelimporter.h"
#include "testpaths.h"

namespace uitest {

void buildTinyBundleAt(const std::string &dir)
{
    const std::string golden = rsrefseg::test::testDataDir() + "/golden/";
    rsrefseg::ModelImporter::Options o;
    o.siglipDir = golden + "siglip_tiny";
    o.samDir = golden + "sam_tiny";
    o.checkpoint = golden + "rsrefseg_tiny/model.safetensors";
    o.loraAlpha = 8.0; // the golden model: r = 4, alpha = 8
    o.trained = false;
    o.name = "golden tiny (UNTRAINED test model)";
    o.outDir = dir;
    o.overwrite = true;
    rsrefseg::ModelImporter::run(o);
}

} // namespace uitest
