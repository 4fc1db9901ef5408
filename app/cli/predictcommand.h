// `rsrefseg predict --model BUNDLE --image IMG --text "..." --out mask.png [--logits L.safetensors]`:
// one image, one sentence, no georeference needed (the model as upstream runs it).
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addPredictCommand(CLI::App &app);
}
