using System.Runtime.InteropServices;
using ShardStore.Cuda.Internals;
using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests;

/// <summary>The ring on a real GPU: bytes read back with cuMemcpyDtoH, event ordering, growth, and no device memory leaked.</summary>
/// <remarks>Inconclusive without a CUDA driver and device. Every wait is bounded, so a broken ordering fails instead of hanging.</remarks>
[TestClass]
[TestCategory("Gpu")]
public sealed class DeviceRingGpuTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
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
        try
        {
            DeviceBatch first = ring.Next()!;
            first.WaitReady(stream);

            // Holds the consumer stream (no CUDA call inside) until the gate opens, or fails the wait after the timeout.
            stream.LaunchHostWork(() => gate.Wait(s_timeout));
            first.Release(stream);
            DeviceBatch second = ring.Next()!;
            WaitUntilReady(second);
            second.Dispose();
            DeviceBatch third = ring.Next()!;
            Thread.Sleep(200);
            Assert.IsFalse(third.IsReady, "the copy into the first batch's slot waits for the consumer's release event");
            gate.Set();
            WaitUntilReady(third);
            RingData.AssertSame(expected[2], RingData.ReadBack(ring, third));
            third.Dispose();
        }
        finally
        {
            // Open the gate even when an assert failed, so the stream drains and disposing the ring does not hang.
            gate.Set();
        }

        stream.Synchronize();
    }

    [TestMethod]
    public unsafe void WaitReady_LargeBatches_AReadOnTheConsumerStreamSeesTheBatchBytes()
    {
        // Batches of 4 MiB take a fraction of a millisecond to copy, and the read is issued right after WaitReady: without
        // the stream wait, the read would run while the copy is still in flight and see another batch's bytes.
        using var dir = new TempDirectory();
        using ShardDataset dataset = WriteLarge(dir, samples: 128, floatsPerSample: 128 << 10);
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 8) with { MemoryBudgetBytes = 256 << 20 };
        using ShardLoader loader = ShardLoader.Create(dataset, options);
        using DeviceRing ring = DeviceRing.Create(loader, new DeviceRingOptions { Device = DeviceKind.Cuda, MemoryBudgetBytes = 64 << 20 });
        using DeviceStream stream = ring.CreateStream();
        long bytes = 8L * (128 << 10) * sizeof(float);
        nint host = (nint)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        try
        {
            int n = 0;
            while (ring.Next() is { } batch)
            {
                DeviceField x = batch.GetField(0);
                new Span<byte>((void*)host, (int)x.ByteLength).Clear();
                batch.WaitReady(stream);
                stream.CopyToHostAsync(x.Pointer, host, x.ByteLength);
                stream.Synchronize();
                ReadOnlySpan<float> values = new((void*)host, (int)(x.ByteLength / sizeof(float)));
                for (int i = 0; i < batch.Count; i++)
                {
                    long sample = batch.SampleIndices[i];
                    Assert.AreEqual(sample + 0.5f, values[i * (128 << 10)], $"batch {batch.Sequence}, sample {sample}: first value");
                    Assert.AreEqual(sample + 0.25f, values[((i + 1) * (128 << 10)) - 1], $"batch {batch.Sequence}, sample {sample}: last value");
                }

                batch.Release(stream);
                n++;
            }

            Assert.AreEqual(16, n);
        }
        finally
        {
            stream.Synchronize();
            NativeMemory.AlignedFree((void*)host);
        }
    }

    [TestMethod]
    public void Next_VariableFieldGrowsOnHostAndDevice_DeviceBytesEqualHostBytes()
    {
        using var dir = new TempDirectory();
        using ShardDataset dataset = RingData.Open(RingData.WriteWithLongSamples(dir));
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 4, order: SampleOrder.Sequential);
        List<BatchBytes> expected = RingData.Expected(dataset, options);
        using ShardLoader loader = ShardLoader.Create(dataset, options);
        using DeviceRing ring = DeviceRing.Create(loader, new DeviceRingOptions { Device = DeviceKind.Cuda, MemoryBudgetBytes = 64 << 20, VariableFieldBytes = 256 });
        using DeviceStream stream = ring.CreateStream();
        Assert.AreEqual(expected.Count, RingData.DrainAndCompare(ring, stream, expected));
        Assert.IsTrue(ring.HostBuffersFreedByLoader > 0, "the loader grew a page-locked tokens buffer and the ring unregistered it first");
        Assert.AreEqual(0L, ring.Statistics.HostRegistrationsRefused, "the grown buffer was page-locked, not refused");
    }

    [TestMethod]
    public void Dispose_After1000Batches_RingAllocationsBackToZeroAndDeviceMemoryWithinTolerance()
    {
        // cuMemGetInfo is device-wide (other processes, the driver's own pools): a warm-up of the same shape first, and a tolerance.
        const long Tolerance = 4L << 20;
        using CudaBackend probe = CudaBackend.Open(0);
        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 16, epochs: 4);
        var ringOptions = new DeviceRingOptions { Device = DeviceKind.Cuda, SlotCount = 3 };
        Drain(RingData.LoaderOptions(batchSize: 16), ringOptions);
        long before = probe.GetMemoryInfo().Free;

        (long batches, DeviceRing ring) = Drain(options, ringOptions);

        Assert.IsTrue(batches >= 1000, $"{batches} batches");
        Assert.AreEqual(0L, ring.Statistics.DeviceBytesAllocated, "the ring's own device allocations after dispose");
        long after = probe.GetMemoryInfo().Free;
        Assert.IsTrue(Math.Abs(before - after) <= Tolerance, $"device free memory {before} before, {after} after 1,000 batches and dispose");
    }

    private static (long Batches, DeviceRing Ring) Drain(ShardLoaderOptions options, DeviceRingOptions ringOptions)
    {
        long batches = 0;
        using ShardLoader loader = ShardLoader.Create(Dataset, options);
        DeviceRing ring = DeviceRing.Create(loader, ringOptions);
        using (ring)
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

        return (batches, ring);
    }

    // Polls with a bound instead of DeviceBatch.Synchronize, which would block forever if the ordering were broken.
    private static void WaitUntilReady(DeviceBatch batch)
    {
        if (!SpinWait.SpinUntil(() => batch.IsReady, s_timeout))
        {
            Assert.Fail($"batch {batch.Sequence} not ready after {s_timeout.TotalSeconds} s");
        }
    }

    // Sample i has floatsPerSample floats: i + 0.5 first, i + 0.25 last, i elsewhere.
    private static ShardDataset WriteLarge(TempDirectory dir, int samples, int floatsPerSample)
    {
        string path = dir.Combine("large");
        var schema = new Schema(FieldSpec.Fixed("x", DType.F32, floatsPerSample));
        using (DatasetWriter writer = DatasetWriter.Create(path, schema, new DatasetWriterOptions { ChunkTargetBytes = 8 << 20, ShardTargetBytes = 64 << 20, Threads = 2 }))
        {
            var values = new float[floatsPerSample];
            for (int i = 0; i < samples; i++)
            {
                Array.Fill(values, i);
                values[0] = i + 0.5f;
                values[^1] = i + 0.25f;
                writer.Write<float>(0, values);
                writer.EndSample();
            }

            writer.Complete();
        }

        return RingData.Open(path);
    }
}
