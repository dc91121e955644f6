using ShardStore.Cuda.Internals;
using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests;

/// <summary>The ring on a real GPU: bytes read back with cuMemcpyDtoH, event ordering, and no device memory leaked.</summary>
/// <remarks>Inconclusive without a CUDA driver and device.</remarks>
[TestClass]
[TestCategory("Gpu")]
public sealed class DeviceRingGpuTests
{
    private static RingDataset s_data = null!;

    private static ShardDataset Dataset => s_data.Dataset;

    [ClassInitialize]
    public static void ClassInitialize(TestContext context) => s_data = new RingDataset(4000);

    [ClassCleanup]
    public static void ClassCleanup() => s_data.Dispose();

    [TestInitialize]
    public void RequireCuda()
    {
        if (!CudaDevice.IsAvailable)
        {
            Assert.Inconclusive($"No CUDA device: {CudaDevice.UnavailableReason}");
        }
    }

    [TestMethod]
    public void Next_TwoEpochs_DeviceBytesEqualHostBytesForEveryBatch()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 64, epochs: 2);
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        using ShardLoader loader = ShardLoader.Create(Dataset, options);
        using DeviceRing ring = DeviceRing.Create(loader, new DeviceRingOptions { Device = DeviceKind.Cuda, MemoryBudgetBytes = 64 << 20 });
        Assert.AreEqual(DeviceKind.Cuda, ring.Kind);
        using DeviceStream stream = ring.CreateStream();
        Assert.AreEqual(expected.Count, RingData.DrainAndCompare(ring, stream, expected));
    }

    [TestMethod]
    public void Release_ConsumerStreamHeldBack_CopyIntoTheSlotWaitsForIt()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 64);
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        using ShardLoader loader = ShardLoader.Create(Dataset, options);
        using DeviceRing ring = DeviceRing.Create(loader, new DeviceRingOptions { Device = DeviceKind.Cuda, MemoryBudgetBytes = 64 << 20 });
        using DeviceStream stream = ring.CreateStream();
        using var gate = new ManualResetEventSlim(false);
        DeviceBatch first = ring.Next()!;
        first.WaitReady(stream);

        // Holds the consumer stream (no CUDA call inside) until the gate opens.
        stream.LaunchHostWork(gate.Wait);
        first.Release(stream);
        DeviceBatch second = ring.Next()!;
        second.Synchronize();
        second.Dispose();
        DeviceBatch third = ring.Next()!;
        Thread.Sleep(200);
        Assert.IsFalse(third.IsReady, "the copy into the first batch's slot waits for the consumer's release event");
        gate.Set();
        third.Synchronize();
        RingData.AssertSame(expected[2], RingData.ReadBack(ring, third));
        third.Dispose();
        stream.Synchronize();
    }

    [TestMethod]
    public void WaitReady_ConsumerWorkRunsAfterTheCopy()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 64));
        using DeviceRing ring = DeviceRing.Create(loader, new DeviceRingOptions { Device = DeviceKind.Cuda, MemoryBudgetBytes = 64 << 20 });
        using DeviceStream stream = ring.CreateStream();
        int n = 0;
        while (n < 20 && ring.Next() is { } batch)
        {
            batch.WaitReady(stream);
            var ran = new ManualResetEventSlim(false);
            stream.LaunchHostWork(ran.Set);
            ran.Wait();
            Assert.IsTrue(batch.IsReady, $"batch {batch.Sequence}: consumer work ran before its copy completed");
            ran.Dispose();
            batch.Release(stream);
            n++;
        }

        stream.Synchronize();
    }

    [TestMethod]
    public void Dispose_After1000Batches_DeviceFreeMemoryBackToItsStart()
    {
        using CudaBackend probe = CudaBackend.Open(0);
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 16, epochs: 4);
        long before;
        {
            using ShardLoader warm = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 16));
            using DeviceRing ring = DeviceRing.Create(warm, new DeviceRingOptions { Device = DeviceKind.Cuda });
            ring.Next()!.Dispose();
        }

        before = probe.GetMemoryInfo().Free;
        long batches = 0;
        using (ShardLoader loader = ShardLoader.Create(Dataset, options))
        using (DeviceRing ring = DeviceRing.Create(loader, new DeviceRingOptions { Device = DeviceKind.Cuda, SlotCount = 3 }))
        using (DeviceStream stream = ring.CreateStream())
        {
            while (ring.Next() is { } batch)
            {
                batch.WaitReady(stream);
                batch.Release(stream);
                batches++;
            }

            stream.Synchronize();
        }

        Assert.IsTrue(batches >= 1000, $"{batches} batches");
        Assert.AreEqual(before, probe.GetMemoryInfo().Free, "device free memory after 1,000 batches and dispose");
    }
}
