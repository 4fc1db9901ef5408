// `rsrefseg train --config FILE.json [--OPTION VALUE ...]`: trains an RSRefSeg model with LoRA
// (core/train LoraTrainer). Every key of the configuration file is also a flag (snake_case key
// `batch_size` = `--batch-size`); flags win over the file, the file over the defaults.
// `--resume CHECKPOINT` continues an interrupted run with the checkpoint's own configuration
// (only run-time options such as --threads, --device, --max-steps, --export may be given).
// `--export-from CHECKPOINT --export DIR` writes a model bundle from a checkpoint and stops.
// Ctrl-C (SIGINT) finishes the current step, writes a resumable checkpoint and exits with 130.
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addTrainCommand(CLI::App &app);
}
