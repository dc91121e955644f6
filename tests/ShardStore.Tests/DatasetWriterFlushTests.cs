using Microsoft.Win32.SafeHandles;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>Shards are flushed to disk in the background, and a dataset is published only once every flush succeeded.</summary>
[TestClass]
public sealed class DatasetWriterFlushTests
{
    private const int Samples = 600;

    [TestMethod]
    public void Complete_SlowFlushes_WaitsForEveryShardBeforeManifest()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        int flushed = 0;
        bool manifestSeenDuringFlush = false;
        var options = Options(handle =>
        {
            Thread.Sleep(30);
            RandomAccess.FlushToDisk(handle);
            manifestSeenDuringFlush |= Directory.Exists(target);
            Interlocked.Increment(ref flushed);
        });

        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, options))
        {
            TestData.WriteMixedSamples(writer, 0, Samples);
            writer.Complete();
        }

        using ShardDataset ds = ShardDataset.Open(target, TestData.ReadOptions());
        Assert.IsGreaterThan(3, ds.Shards.Count);
        Assert.AreEqual(ds.Shards.Count, Volatile.Read(ref flushed), "one flush per shard, all done when Complete returns");
        Assert.IsFalse(manifestSeenDuringFlush);
        for (long i = 0; i < Samples; i++)
        {
            using SampleLease s = ds.ReadSample(i);
            TestData.AssertMixedSample(s, i);
        }
    }

    [TestMethod]
    public void Complete_SmallFlushInterval_FlushesPartWayAndOncePerShard()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        int flushed = 0;
        var options = Options(
            handle =>
            {
                RandomAccess.FlushToDisk(handle);
                Interlocked.Increment(ref flushed);
            },
            shardBytes: 1 << 20,
            flushIntervalBytes: 1024);

        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, options))
        {
            TestData.WriteMixedSamples(writer, 0, Samples);
            writer.Complete();
        }

        using ShardDataset ds = ShardDataset.Open(target, TestData.ReadOptions());
        Assert.HasCount(1, ds.Shards);
        Assert.IsGreaterThan(1, Volatile.Read(ref flushed));
        using SampleLease last = ds.ReadSample(Samples - 1);
        TestData.AssertMixedSample(last, Samples - 1);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(-1)]
    public void Complete_FlushFails_ThrowsIOExceptionAndPublishesNothing(int failingFlush)
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        if (failingFlush < 0)
        {
            // The last shard's flush, which runs while Complete waits.
            failingFlush = CountShards();
        }

        int calls = 0;
        var options = Options(handle =>
        {
            int call = Interlocked.Increment(ref calls);
            if (call == failingFlush)
            {
                throw new IOException($"injected flush failure in call {call}.");
            }

            RandomAccess.FlushToDisk(handle);
        });

        DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, options);
        try
        {
            // A failed flush surfaces when the writer next collects finished flushes, at the latest from Complete.
            IOException e = Assert.ThrowsExactly<IOException>(() =>
            {
                TestData.WriteMixedSamples(writer, 0, Samples);
                writer.Complete();
            });
            Assert.Contains("injected flush failure", e.Message);
            InvalidOperationException refused = Assert.ThrowsExactly<InvalidOperationException>(writer.Complete);
            Assert.AreSame(e, refused.InnerException);
            Assert.IsFalse(Directory.Exists(target));
        }
        finally
        {
            writer.Dispose();
        }

        Assert.IsEmpty(Directory.GetFileSystemEntries(dir.Path), "no partial directory left");
    }

    [TestMethod]
    public void Complete_PartWayFlushFails_ThrowsIOExceptionAndPublishesNothing()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        var options = Options(_ => throw new IOException("injected flush failure"), shardBytes: 1 << 20, flushIntervalBytes: 1024);

        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, options))
        {
            Assert.ThrowsExactly<IOException>(() =>
            {
                TestData.WriteMixedSamples(writer, 0, Samples);
                writer.Complete();
            });
        }

        Assert.IsEmpty(Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void Dispose_PartWayFlushRunning_WaitsAndRemovesEverything()
    {
        using var dir = new TempDirectory();
        using var release = new ManualResetEventSlim();
        int started = 0;
        var options = Options(
            handle =>
            {
                Interlocked.Increment(ref started);
                release.Wait(TimeSpan.FromSeconds(10));
                RandomAccess.FlushToDisk(handle);
            },
            shardBytes: 1 << 20,
            flushIntervalBytes: 1024);

        var writer = DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, options);
        TestData.WriteMixedSamples(writer, 0, Samples);
        Assert.IsTrue(SpinWait.SpinUntil(() => Volatile.Read(ref started) > 0, TimeSpan.FromSeconds(10)), "a part-way flush started");
        var dispose = Task.Run(writer.Dispose);
        Thread.Sleep(100);
        Assert.IsFalse(dispose.IsCompleted, "Dispose waits for the running flush");
        release.Set();
        dispose.GetAwaiter().GetResult();

        Assert.IsEmpty(Directory.GetFileSystemEntries(dir.Path));
    }

    private static int CountShards()
    {
        using var dir = new TempDirectory();
        TestData.WriteMixed(dir.Combine("ds"), Samples, Options(RandomAccess.FlushToDisk));
        using ShardDataset ds = ShardDataset.Open(dir.Combine("ds"), TestData.ReadOptions());
        return ds.Shards.Count;
    }

    private static DatasetWriterOptions Options(Action<SafeFileHandle> flushToDisk, long shardBytes = 4 << 10, long flushIntervalBytes = 64L << 20) => new()
    {
        Codec = CodecKind.Lz4,
        Codecs = NativeCodecs.Provider,
        ChunkTargetBytes = 1024,
        ShardTargetBytes = shardBytes,
        Threads = 2,
        FlushToDisk = flushToDisk,
        FlushIntervalBytes = flushIntervalBytes,
    };
}
