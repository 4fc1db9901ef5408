// rsrefseg-model-bench: the model benchmark with no dependency but LibTorch (GPU machines).
// Same figures as `rsrefseg bench model`.
//   rsrefseg-model-bench [--arch rsrefseg-b|tiny] [--dtype f32|bf16|f16] [--device cpu|cuda:N]
//                        [--threads N] [--batch N] [--repeats N] [--warmup] [--profile] [--json]
#include "common/error.h"
#include "common/openmpwaitpolicy.h"
#include "model/bench/modelbenchmark.h"
#include "model/rsrefseg/modelbundle.h"

#include <iostream>
#include <string>

int main(int argc, char **argv)
{
    rsrefseg::useQuietOpenMpThreads(argv); // may re-execute this program once (see the header)
    rsrefseg::ModelBenchmark::Options o;
    bool json = false;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= argc)
                    throw rsrefseg::Error(a + " needs a value");
                return argv[++i];
            };
            if (a == "--arch") o.arch = value();
            else if (a == "--dtype") o.dtype = rsrefseg::ModelBundle::parseDtype(value());
            else if (a == "--device") o.device = value();
            else if (a == "--threads") o.threads = std::stoi(value());
            else if (a == "--batch") o.batch = std::stoi(value());
            else if (a == "--repeats") o.repeats = std::stoi(value());
            else if (a == "--text-tokens") o.textTokens = std::stoi(value());
            else if (a == "--warmup") o.warmup = true;
            else if (a == "--profile") o.profile = true;
            else if (a == "--json") json = true;
            else if (a == "--help" || a == "-h") {
                std::cout << "usage: rsrefseg-model-bench [--arch rsrefseg-b|tiny] [--dtype f32|bf16|f16] "
                             "[--device cpu|cuda:N] [--threads N] [--batch N] [--repeats N] [--warmup] [--profile] [--json]\n";
                return 0;
            } else
                throw rsrefseg::Error("unknown option '" + a + "'");
        }
        const auto r = rsrefseg::ModelBenchmark::run(o, [](const std::string &s) { std::cerr << s; });
        std::cout << (json ? r.toJson().dump(2) + "\n" : r.toText());
    } catch (const std::exception &e) {
        std::cerr << "rsrefseg-model-bench: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
