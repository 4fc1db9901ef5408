// `rsrefseg data ...`: the public benchmarks as distributed, in and checked.
//   data convert rrsisd --refs "refs(unc).p" --instances instances.json --images DIR --out F.jsonl
//   data convert refsegrs|risbench --root DIR --out F.jsonl [--images DIR] [--masks DIR]
//   data check F.jsonl --images DIR [--json] [--strict]
// Wiring only: core/data (RrsisdConverter, PhraseListConverter, DatasetChecker) does the work.
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addDataCommand(CLI::App &app);
}
