// `rsrefseg model import ...` builds a model bundle from HF SigLIP/SAM folders and/or an
// RSRefSeg checkpoint; `rsrefseg model info BUNDLE` describes one.
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addModelCommand(CLI::App &app);
}
