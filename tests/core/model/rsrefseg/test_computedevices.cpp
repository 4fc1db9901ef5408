// ComputeDevices: the CPU always comes first, then one entry per CUDA device LibTorch sees,
// and every name is one that ModelBundle::parseDevice (and so --device) accepts.
#include "model/rsrefseg/computedevices.h"
#include "model/rsrefseg/modelbundle.h"

#include <torch/cuda.h>

#include <QtTest>

using namespace rsrefseg;

class TestComputeDevices : public QObject
{
    Q_OBJECT
  private slots:
    void cpuFirstThenEachGpu()
    {
        const auto devices = ComputeDevices::available();
        QVERIFY(!devices.empty());
        QCOMPARE(QString::fromStdString(devices.front().name), QStringLiteral("cpu"));
        QCOMPARE(QString::fromStdString(devices.front().label), QStringLiteral("CPU"));
        const int gpus = torch::cuda::is_available() ? int(torch::cuda::device_count()) : 0;
        QCOMPARE(ComputeDevices::cudaDeviceCount(), gpus);
        QCOMPARE(int(devices.size()), 1 + gpus);
        for (int i = 0; i < gpus; ++i)
            QCOMPARE(QString::fromStdString(devices[size_t(i) + 1].name), QStringLiteral("cuda:%1").arg(i));
    }

    void everyNameParses()
    {
        for (const auto &d : ComputeDevices::available()) {
            const torch::Device device = ModelBundle::parseDevice(d.name);
            QCOMPARE(device.is_cpu(), d.name == "cpu");
        }
    }
};

QTEST_GUILESS_MAIN(TestComputeDevices)
#include "test_computedevices.moc"
