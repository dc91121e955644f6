using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests;

/// <summary>The loader's page-locked buffers and reading a batch back, on the host device.</summary>
public sealed partial class DeviceRingTests
{
    [TestMethod]
    public void CopyToHost_BatchCopyStillInFlight_WaitsForItAndReadsTheBatchBytes()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32);
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        using var gate = new ManualResetEventSlim(false);
        HostBackend backend = HoldingCopiesFrom(0, gate);
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        try
        {
            using DeviceRing ring = CreateRing(loader, backend);
            using DeviceBatch first = ring.Next()!;
            Assert.IsFalse(first.IsReady, "the copies are held at the gate");
            using Task open = Task.Run(async () =>
            {
                await Task.Delay(100);
                gate.Set();
            });

            // Without the wait for the batch's ready event, this would read the slot before the copy landed.
            RingData.AssertSame(expected[0], RingData.ReadBack(ring, first));
            Assert.IsTrue(open.Wait(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            gate.Set();
        }

        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Next_LoaderGrowsAVariableField_OldBufferUnregisteredBeforeItsFreeAndNewOneRegistered()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = RingData.Open(RingData.WriteWithLongSamples(dir));
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 4, order: SampleOrder.Sequential);
        List<BatchBytes> expected = RingData.Expected(dataset, options);
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(dataset, options);
        using (DeviceRing ring = CreateRing(loader, backend, new DeviceRingOptions { VariableFieldBytes = 256 }))
        {
            int i = 0;
            while (ring.Next() is { } batch)
            {
                using (batch)
                {
                    RingData.AssertSame(expected[i++], RingData.ReadBack(ring, batch));
                }
            }

            Assert.AreEqual(expected.Count, i);
            Assert.IsTrue(ring.HostBuffersFreedByLoader > 0, "the loader announced the free of a registered tokens buffer it outgrew");
            Assert.AreEqual(0L, ring.Statistics.HostRegistrationsRefused, "the new buffer was registered, not refused as already registered");
        }

        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Statistics_LoaderBufferPageLockedElsewhere_CountsTheRefusal()
    {
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        backend.PinElsewhere(loader.DangerousGetSlotBuffer(0, 0).Pointer);
        using (DeviceRing ring = CreateRing(loader, backend))
        {
            while (ring.Next() is { } batch)
            {
                batch.Dispose();
            }

            Assert.AreEqual(1L, ring.Statistics.HostRegistrationsRefused, "one buffer refused as already registered, counted once");
        }

        AssertNothingLeaked(backend, loader);
    }
}
