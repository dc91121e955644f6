using ShardStore.Cuda.Internals;
using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests;

public sealed partial class DeviceRingTests
{
    [TestMethod]
    public void Next_CopyFails_EarlierBatchesArriveThenTheErrorSurfaces()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32);
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        var backend = new HostBackend();

        // Four copies per batch (x, label, token values, token offsets): copy 9 belongs to the third batch.
        backend.OnCopy = n => n == 9 ? new IOException("injected copy failure") : null;
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        using (DeviceRing ring = CreateRing(loader, backend))
        {
            int good = 0;
            IOException e = Assert.ThrowsExactly<IOException>(() =>
            {
                while (ring.Next() is { } batch)
                {
                    using (batch)
                    {
                        batch.Synchronize();
                        RingData.AssertSame(expected[good], RingData.ReadBack(ring, batch));
                        good++;
                    }
                }
            });
            Assert.AreEqual("injected copy failure", e.Message);
            Assert.AreEqual(2, good, "the batches before the failing copy arrive intact");

            // Batches issued before the failure was noticed fail their synchronize; then Next reports it for good.
            IOException? again = null;
            for (int k = 0; k < 10 && again is null; k++)
            {
                try
                {
                    using DeviceBatch? batch = ring.Next();
                    Assert.IsNotNull(batch, "the ring must not end normally after a failed copy");
                    batch.Synchronize();
                }
                catch (IOException x)
                {
                    again = x;
                }
            }

            Assert.IsNotNull(again, "the consumer keeps seeing the failure");
        }

        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Dispose_WhileCopiesAreInFlightAndABatchIsHeld_FreesEverythingOnceTheBatchIsDisposed()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32);
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        using var gate = new ManualResetEventSlim(false);
        HostBackend backend = HoldingCopiesFrom(4, gate);
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        DeviceRing ring = CreateRing(loader, backend);
        DeviceBatch held = ring.Next()!;
        held.Synchronize();
        DeviceBatch inFlight = ring.Next()!;
        Assert.IsFalse(inFlight.IsReady, "the second batch's copy is held at the gate");
        Task opener = Task.Delay(200).ContinueWith(_ => gate.Set(), TaskScheduler.Default);

        ring.Dispose();
        ring.Dispose();
        opener.Wait();
        Assert.ThrowsExactly<ObjectDisposedException>(() => ring.Next());
        Assert.AreEqual(0, backend.RegisteredRanges, "the loader's buffers are unregistered by Dispose");
        Assert.IsTrue(backend.AllocatedBytes > 0, "a held batch keeps the device memory");
        RingData.AssertSame(expected[0], RingData.ReadBack(ring, held));
        held.Dispose();
        inFlight.Dispose();
        held.Dispose();
        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Dispose_BeforeAnyBatch_FreesEverything()
    {
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        DeviceRing ring = CreateRing(loader, backend);
        Assert.IsTrue(ring.RegisteredHostBuffers > 0, "the loader's slot buffers are page-locked at creation");
        ring.Dispose();
        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Dispose_StreamOutlivesTheRing_DeviceMemoryFreedWithTheStream()
    {
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        DeviceRing ring = CreateRing(loader, backend);
        DeviceStream stream = ring.CreateStream();
        ring.Next()!.Release(stream);
        ring.Dispose();
        Assert.IsTrue(backend.AllocatedBytes > 0, "the stream keeps the ring's resources");
        stream.Dispose();
        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public async Task ReadAllAsync_WholeEpoch_YieldsEveryBatchInOrder()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 64);
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        long next = 0;
        await using (DeviceRing ring = CreateRing(loader, backend))
        {
            await foreach (DeviceBatch batch in ring.ReadAllAsync())
            {
                using (batch)
                {
                    Assert.AreEqual(next++, batch.Sequence);
                }
            }

            Assert.AreEqual(loader.BatchesPerEpoch, next);
        }

        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void WaitReady_StreamOfAnotherRing_Throws()
    {
        using ShardLoader first = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        using ShardLoader second = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        using DeviceRing a = CreateRing(first, new HostBackend());
        using DeviceRing b = CreateRing(second, new HostBackend());
        using DeviceStream other = b.CreateStream();
        using DeviceBatch batch = a.Next()!;
        Assert.ThrowsExactly<ArgumentException>(() => batch.WaitReady(other));
        Assert.ThrowsExactly<ArgumentException>(() => batch.Release(other));
    }

    [TestMethod]
    public void GetField_AfterRelease_ThrowsObjectDisposed()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        using DeviceRing ring = CreateRing(loader, new HostBackend());
        DeviceBatch batch = ring.Next()!;
        DeviceField x = batch.GetField("x");
        CollectionAssert.AreEqual(new[] { 32, 4, 3 }, x.Shape.ToArray());
        Assert.AreEqual(32L * 48, x.ByteLength);
        Assert.AreEqual(DType.F32, x.DType);
        batch.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => batch.GetField(0));
    }

    [TestMethod]
    public void Create_Auto_WithoutCuda_RunsOnTheHostAndSaysWhy()
    {
        if (CudaDevice.IsAvailable)
        {
            Assert.Inconclusive("This machine has a CUDA device; Auto picks it.");
        }

        ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        using (DeviceRing ring = DeviceRing.Create(loader))
        {
            Assert.AreEqual(DeviceKind.Host, ring.Kind);
            StringAssert.Contains(ring.DeviceDescription, CudaDevice.UnavailableReason!);
            using DeviceBatch batch = ring.Next()!;
            batch.Synchronize();
        }

        loader.Dispose();
        Assert.AreEqual(0L, loader.Statistics.MemoryInUseBytes);
    }

    [TestMethod]
    public void Create_Cuda_WithoutDriver_ThrowsInvalidOperationWithTheReason()
    {
        if (CudaDevice.IsAvailable)
        {
            Assert.Inconclusive("This machine has a CUDA device.");
        }

        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(() => DeviceRing.Create(loader, new DeviceRingOptions { Device = DeviceKind.Cuda }));
        StringAssert.Contains(e.Message, CudaDevice.UnavailableReason!);
    }

    [TestMethod]
    public void LoaderDispose_WhileTheRingRuns_DisposesTheRingFirstAndFreesEverything()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32);
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        DeviceRing ring = CreateRing(loader, backend);
        Assert.IsTrue(loader.HasAttachedConsumer, "the ring attached itself to the loader");
        using (DeviceBatch first = ring.Next()!)
        {
            first.Synchronize();
        }

        // The wrong order: the ring still reads the loader and holds its slots page-locked.
        loader.Dispose();

        Assert.IsFalse(loader.HasAttachedConsumer, "the loader let go of the ring it disposed");
        Assert.AreEqual(0, backend.RegisteredRanges, "the ring unregistered the loader's slots before they were freed");
        Assert.AreEqual(0L, loader.Statistics.MemoryInUseBytes, "every host batch went back to the loader");
        Assert.ThrowsExactly<ObjectDisposedException>(() => ring.Next());
        ring.Dispose();
        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Create_SecondRingOverTheSameLoader_ThrowsInvalidOperationExceptionUntilTheFirstIsDisposed()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32);
        var backend = new HostBackend();
        var second = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        DeviceRing ring = CreateRing(loader, backend);
        InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(() => CreateRing(loader, second));
        Assert.Contains("DeviceRing", e.Message);
        Assert.AreEqual(0L, second.AllocatedBytes, "the refused ring freed what it allocated");
        Assert.AreEqual(0, second.RegisteredRanges, "the refused ring unregistered the slots");
        ring.Dispose();

        using (DeviceRing again = CreateRing(loader, second))
        {
            using DeviceBatch batch = again.Next()!;
            batch.Synchronize();
        }

        AssertNothingLeaked(backend, loader);
    }
}
