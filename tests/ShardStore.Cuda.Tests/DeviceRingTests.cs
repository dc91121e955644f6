using ShardStore.Cuda.Internals;
using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests;

/// <summary>The ring's state machine on the host device: bytes, order, slot reuse, budget, errors, cancellation, leaks.</summary>
[TestClass]
public sealed partial class DeviceRingTests
{
    private static RingDataset s_data = null!;

    private static ShardDataset Dataset => s_data.Dataset;

    [ClassInitialize]
    public static void ClassInitialize(TestContext context) => s_data = new RingDataset(1000);

    [ClassCleanup]
    public static void ClassCleanup() => s_data.Dispose();

    [TestMethod]
    public void Next_TwoEpochs_DeviceBytesEqualLoaderBytesForEveryBatch()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32, epochs: 2);
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        int seen = 0;
        using (DeviceRing ring = CreateRing(loader, backend))
        using (DeviceStream stream = ring.CreateStream())
        {
            // Both ways of consuming: on the device (stream wait + release event), and on the CPU (synchronize + dispose).
            seen = RingData.DrainAndCompare(ring, stream, expected);

            Assert.AreEqual(expected.Count, seen, "batches");
            Assert.AreEqual(expected.Count, ring.Statistics.Batches);
        }

        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Next_LoaderWithTransforms_DeviceSlotsFollowTheTransformedFields()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32) with { Transforms = [new TokenSumTransform()] };
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        Assert.AreNotEqual(Dataset.Schema.Count, loader.Schema.Count, "the transform changes the fields");
        using (DeviceRing ring = CreateRing(loader, backend))
        using (DeviceStream stream = ring.CreateStream())
        {
            Assert.AreEqual(expected.Count, RingData.DrainAndCompare(ring, stream, expected), "batches");
        }

        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Next_SequentialOrderWithLz4Chunks_DeviceBytesEqualLoaderBytes()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = RingData.Open(RingData.Write(dir, 300, ShardStore.Compression.CodecKind.Lz4, tokenModulo: 40));
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 50, order: SampleOrder.Sequential);
        List<BatchBytes> expected = RingData.Expected(dataset, options);
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(dataset, options);
        using (DeviceRing ring = CreateRing(loader, backend, new DeviceRingOptions { SlotCount = 3 }))
        {
            int i = 0;
            while (ring.Next() is { } batch)
            {
                using (batch)
                {
                    batch.Synchronize();
                    RingData.AssertSame(expected[i++], RingData.ReadBack(ring, batch));
                }
            }

            Assert.AreEqual(expected.Count, i);
        }

        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Next_BatchesReleasedInOrder_ComeInLoaderOrderAndCycleThroughTheSlots()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 100);
        long[][] plan = [.. ShardLoader.PlanEpoch(Dataset, options, 0)];
        var backend = new HostBackend();
        using ShardLoader loader = ShardLoader.Create(Dataset, options);
        using DeviceRing ring = CreateRing(loader, backend, new DeviceRingOptions { SlotCount = 3 });
        var slots = new List<int>();
        long sequence = 0;
        while (ring.Next() is { } batch)
        {
            using (batch)
            {
                Assert.AreEqual(sequence, batch.Sequence);
                CollectionAssert.AreEqual(plan[sequence], batch.SampleIndices.ToArray(), $"samples of batch {sequence}");
                slots.Add(batch.Slot.Index);
                sequence++;
            }
        }

        Assert.AreEqual(plan.Length, sequence);
        CollectionAssert.AreEqual(Enumerable.Range(0, slots.Count).Select(i => i % 3).ToArray(), slots.ToArray(), "slot of each batch");
    }

    [TestMethod]
    public void Release_ConsumerStreamHasNotReachedTheRelease_SlotIsNotRefilled()
    {
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32);
        List<BatchBytes> expected = RingData.Expected(Dataset, options);
        var backend = new HostBackend();
        ShardLoader loader = ShardLoader.Create(Dataset, options);
        using var gate = new ManualResetEventSlim(false);
        using (DeviceRing ring = CreateRing(loader, backend))
        using (DeviceStream stream = ring.CreateStream())
        {
            DeviceBatch first = ring.Next()!;
            first.Synchronize();
            BatchBytes firstBytes = RingData.ReadBack(ring, first);
            DeviceField x = first.GetField(0);
            int firstSlot = first.Slot.Index;

            // The consumer's "kernel" still reads the first batch when the release is recorded behind it.
            stream.LaunchHostWork(gate.Wait);
            first.Release(stream);
            DeviceBatch second = ring.Next()!;
            second.Synchronize();
            second.Dispose();
            DeviceBatch third = ring.Next()!;
            Assert.AreEqual(firstSlot, third.Slot.Index, "the third batch goes to the first batch's slot");
            Thread.Sleep(200);
            Assert.IsFalse(third.IsReady, "the copy into a slot waits for the consumer's release");
            var still = new byte[x.ByteLength];
            ring.CopyToHost(x.Pointer, still);
            CollectionAssert.AreEqual(firstBytes.Values[0], still, "the slot still holds the first batch while the consumer reads it");

            gate.Set();
            third.Synchronize();
            RingData.AssertSame(expected[2], RingData.ReadBack(ring, third));
            third.Dispose();
            while (ring.Next() is { } rest)
            {
                rest.Dispose();
            }
        }

        AssertNothingLeaked(backend, loader);
    }

    [TestMethod]
    public void Next_ConsumerHoldsEverySlot_WaitsUntilOneIsReleased()
    {
        var backend = new HostBackend();
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        using DeviceRing ring = CreateRing(loader, backend);
        DeviceBatch a = ring.Next()!;
        DeviceBatch b = ring.Next()!;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.ThrowsExactly<OperationCanceledException>(() => ring.Next(cts.Token));
        a.Dispose();
        using DeviceBatch c = ring.Next()!;
        Assert.AreEqual(2, c.Sequence, "the ring goes on after a cancelled wait");
        Assert.AreEqual(a.Sequence + 2, c.Sequence);
        b.Dispose();
    }

    internal static DeviceRing CreateRing(ShardLoader loader, HostBackend backend, DeviceRingOptions? options = null) =>
        DeviceRing.CreateWithBackend(loader, (options ?? new DeviceRingOptions()) with { Device = DeviceKind.Host }, backend);

    internal static void AssertNothingLeaked(HostBackend backend, ShardLoader loader)
    {
        Assert.AreEqual(0L, backend.AllocatedBytes, "device bytes after dispose");
        Assert.AreEqual(0, backend.Allocations, "device allocations after dispose");
        Assert.AreEqual(0, backend.RegisteredRanges, "host ranges still page-locked");
        loader.Dispose();
        Assert.AreEqual(0L, loader.Statistics.MemoryInUseBytes, "loader memory after dispose: every host batch went back");
    }

    // A host device whose copy number n and every later one wait until the gate opens.
    private static HostBackend HoldingCopiesFrom(int n, ManualResetEventSlim gate)
    {
        var backend = new HostBackend();
        backend.OnCopy = copy =>
        {
            if (copy >= n)
            {
                gate.Wait();
            }

            return null;
        };
        return backend;
    }
}
