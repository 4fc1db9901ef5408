// Tests StateDictLoader: strict loading by name with clear errors, optional/ignored names,
// dtype conversion, and no change to the module when loading fails.
#include "common/error.h"
#include "model/weights/safetensorsfile.h"
#include "model/weights/statedictloader.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>
#include <torch/torch.h>

#include <QtTest>
#include "testpaths.h"

using rsrefseg::StateDictLoader;

namespace {

// Small module: parameters at two levels, a buffer, and BatchNorm buffers (incl. int64).
struct TinyImpl : torch::nn::Module
{
    TinyImpl()
    {
        fc = register_module("fc", torch::nn::Linear(32, 64));
        norm = register_module("norm", torch::nn::BatchNorm1d(64));
        scale = register_parameter("scale", torch::zeros({1}));
        table = register_buffer("table", torch::zeros({2, 3}, torch::kFloat64));
    }
    torch::nn::Linear fc{nullptr};
    torch::nn::BatchNorm1d norm{nullptr};
    torch::Tensor scale;
    torch::Tensor table;
};
TORCH_MODULE(Tiny);

std::map<std::string, torch::Tensor> goodTensors()
{
    torch::manual_seed(3);
    return {{"fc.weight", torch::randn({64, 32})},
            {"fc.bias", torch::randn({64})},
            {"norm.weight", torch::randn({64})},
            {"norm.bias", torch::randn({64})},
            {"norm.running_mean", torch::randn({64})},
            {"norm.running_var", torch::rand({64})},
            {"norm.num_batches_tracked", torch::tensor(7, torch::kInt64)},
            {"scale", torch::tensor({1.5f})},
            {"table", torch::arange(6, torch::kFloat32).reshape({2, 3})}};
}

QString loadError(torch::nn::Module &module, const std::map<std::string, torch::Tensor> &tensors,
                  const StateDictLoader::Options &options = {})
{
    try {
        StateDictLoader::load(module, tensors, "siglip_tiny/model.safetensors", options);
    } catch (const rsrefseg::Error &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestStateDictLoader : public QObject
{
    Q_OBJECT

  private slots:
    void loadsEverything()
    {
        Tiny tiny;
        const auto tensors = goodTensors();
        const torch::Tensor weightBefore = tiny->fc->weight;
        StateDictLoader::load(*tiny, tensors, "test");
        QVERIFY(torch::equal(tiny->fc->weight, tensors.at("fc.weight")));
        QVERIFY(torch::equal(tiny->norm->running_var, tensors.at("norm.running_var")));
        QCOMPARE(tiny->norm->num_batches_tracked.item<int64_t>(), int64_t(7));
        QCOMPARE(tiny->scale.item<float>(), 1.5f);
        // Copied in place: the module keeps its tensors (and their dtypes).
        QCOMPARE(tiny->fc->weight.data_ptr(), weightBefore.data_ptr());
        QCOMPARE(tiny->table.scalar_type(), torch::kFloat64);
        QCOMPARE(tiny->table[1][2].item<double>(), 5.0);
        // A copy, not an alias of the source.
        QVERIFY(tiny->fc->weight.data_ptr() != tensors.at("fc.weight").data_ptr());
        // Parameters keep requires_grad and the copy did not record autograd history.
        QVERIFY(tiny->fc->weight.requires_grad());
        QVERIFY(tiny->fc->weight.grad_fn() == nullptr);
    }

    void convertsDtype()
    {
        Tiny tiny;
        auto tensors = goodTensors();
        const torch::Tensor fp32 = tensors.at("fc.weight");
        tensors["fc.weight"] = fp32.to(torch::kFloat16);
        tensors["norm.num_batches_tracked"] = torch::tensor(9, torch::kInt32);
        StateDictLoader::load(*tiny, tensors, "test");
        QCOMPARE(tiny->fc->weight.scalar_type(), torch::kFloat32);
        QVERIFY(torch::equal(tiny->fc->weight, fp32.to(torch::kFloat16).to(torch::kFloat32)));
        QVERIFY(!torch::equal(tiny->fc->weight, fp32)); // fp16 rounding really happened
        QCOMPARE(tiny->norm->num_batches_tracked.scalar_type(), torch::kInt64);
        QCOMPARE(tiny->norm->num_batches_tracked.item<int64_t>(), int64_t(9));
    }

    void missingTensors()
    {
        Tiny tiny;
        auto tensors = goodTensors();
        tensors.erase("fc.bias");
        QCOMPARE(loadError(*tiny, tensors), QString("siglip_tiny/model.safetensors: missing tensor 'fc.bias'"));
        tensors.erase("table");
        tensors.erase("scale");
        tensors.erase("norm.running_mean");
        QCOMPARE(loadError(*tiny, tensors),
                 QString("siglip_tiny/model.safetensors: missing tensor 'fc.bias' (and 3 more)"));
    }

    void optionalTensors()
    {
        Tiny tiny;
        auto tensors = goodTensors();
        tensors.erase("table");
        StateDictLoader::Options options;
        options.optional = {"table"};
        QCOMPARE(loadError(*tiny, tensors, options), QString());
        QVERIFY(torch::equal(tiny->table, torch::zeros({2, 3}, torch::kFloat64))); // untouched
        // An optional tensor that is present is loaded.
        StateDictLoader::load(*tiny, goodTensors(), "test", options);
        QCOMPARE(tiny->table[0][1].item<double>(), 1.0);
    }

    void unexpectedTensors()
    {
        Tiny tiny;
        auto tensors = goodTensors();
        tensors["foo"] = torch::zeros({1});
        tensors["fc.lora_A"] = torch::zeros({1});
        tensors["zzz"] = torch::zeros({1});
        QCOMPARE(loadError(*tiny, tensors),
                 QString("siglip_tiny/model.safetensors: unexpected tensor 'fc.lora_A' (and 2 more)"));
        StateDictLoader::Options options;
        options.ignored = {"foo", "fc.lora_A"};
        QCOMPARE(loadError(*tiny, tensors, options),
                 QString("siglip_tiny/model.safetensors: unexpected tensor 'zzz'"));
        options.ignored.insert("zzz");
        QCOMPARE(loadError(*tiny, tensors, options), QString());
        StateDictLoader::Options lenient;
        lenient.allowUnexpected = true;
        QCOMPARE(loadError(*tiny, tensors, lenient), QString());
        QVERIFY(torch::equal(tiny->fc->weight, tensors.at("fc.weight")));
    }

    void wrongShapeLeavesModuleUntouched()
    {
        Tiny tiny;
        const torch::Tensor before = tiny->fc->weight.detach().clone();
        auto tensors = goodTensors();
        tensors["fc.weight"] = torch::zeros({64, 64});
        QCOMPARE(loadError(*tiny, tensors),
                 QString("siglip_tiny/model.safetensors: tensor 'fc.weight' has shape [64, 64], "
                         "the model expects [64, 32]"));
        QVERIFY(torch::equal(tiny->fc->weight, before));
        tensors["fc.weight"] = torch::zeros({64 * 32});
        QVERIFY(loadError(*tiny, tensors).contains("has shape [2048], the model expects [64, 32]"));
        tensors["fc.weight"] = torch::zeros({64, 32});
        tensors["norm.num_batches_tracked"] = torch::tensor({7}, torch::kInt64);
        QVERIFY(loadError(*tiny, tensors).contains("tensor 'norm.num_batches_tracked' has shape [1], the model expects []"));
    }

    void loadsFromSafetensors()
    {
        // The siglip_tiny logit parameters, read through SafetensorsFile.
        struct LogitsImpl : torch::nn::Module
        {
            LogitsImpl()
            {
                logit_scale = register_parameter("logit_scale", torch::zeros({1}));
                logit_bias = register_parameter("logit_bias", torch::zeros({1}));
            }
            torch::Tensor logit_scale, logit_bias;
        } logits;
        const auto file = rsrefseg::SafetensorsFile::open(rsrefseg::test::testDataDir() + "/golden/siglip_tiny/model.safetensors");
        const auto all = file.tensors();
        QVERIFY(loadError(logits, all).startsWith("siglip_tiny/model.safetensors: unexpected tensor 'text_model."));
        StateDictLoader::Options options;
        options.allowUnexpected = true;
        StateDictLoader::load(logits, all, file.path(), options);
        QCOMPARE(logits.logit_scale.item<float>(), 1.553693413734436f);
        QCOMPARE(logits.logit_bias.item<float>(), -0.6051496267318726f);
    }
};

QTEST_APPLESS_MAIN(TestStateDictLoader)
#include "test_statedictloader.moc"
