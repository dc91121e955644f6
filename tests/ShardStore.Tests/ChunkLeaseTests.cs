using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

[TestClass]
public sealed class ChunkLeaseTests
{
    [TestMethod]
    public void ReadChunk_Uncompressed_IsZeroCopyOverMapping()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 200, TestData.Options(CodecKind.None));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using ChunkLease c = ds.ReadChunk(0, 0);
        Assert.IsTrue(c.IsZeroCopy);
        Assert.AreEqual(CodecKind.None, c.StoredCodec);
        Assert.AreEqual(0, ds.DecodeBytesAllocated, "no decode buffer for an uncompressed chunk");
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    public void GetFixed_ByName_SameValuesAsByIndex(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 50, TestData.Options(codec));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using ChunkLease c = ds.ReadChunk(0, 0);

        long[] labels = c.GetFixed<long>("label").ToArray();

        CollectionAssert.AreEqual(Enumerable.Range(0, c.SampleCount).Select(i => (c.FirstSample + i) * 3).ToArray(), labels);
        CollectionAssert.AreEqual(c.GetFixed<float>(0).ToArray(), c.GetFixed<float>("x").ToArray());
        Assert.ThrowsExactly<KeyNotFoundException>(() => c.GetFixed<float>("missing").Length);
    }

    [TestMethod]
    public void GetFixed2D_ByName_SamplesByElements()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 50, TestData.Options(CodecKind.Lz4));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using ChunkLease c = ds.ReadChunk(0, 0);

        CommunityToolkit.HighPerformance.ReadOnlySpan2D<float> x = c.GetFixed2D<float>("x");

        Assert.AreEqual(c.SampleCount, x.Height);
        Assert.AreEqual(12, x.Width);
        CollectionAssert.AreEqual(TestData.Features(c.FirstSample + 1), x.GetRowSpan(1).ToArray());
        Assert.ThrowsExactly<KeyNotFoundException>(() => c.GetFixed2D<float>("missing").Height);
    }

    [TestMethod]
    public void GetVariable_ByName_OffsetsAndValuesOfEverySample()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 50, TestData.Options(CodecKind.Lz4));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using ChunkLease c = ds.ReadChunk(0, 0);

        VariableFieldView<int> tokens = c.GetVariable<int>("tokens");

        Assert.AreEqual(c.SampleCount, tokens.Count);
        for (int i = 0; i < c.SampleCount; i++)
        {
            CollectionAssert.AreEqual(TestData.Tokens(c.FirstSample + i), tokens[i].ToArray(), $"sample {i}");
        }

        Assert.ThrowsExactly<KeyNotFoundException>(() => c.GetVariable<int>("missing").Count);
    }

    [TestMethod]
    public void GetSample_ByName_FixedAndVariableValues()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 50, TestData.Options(CodecKind.Lz4));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using ChunkLease c = ds.ReadChunk(0, 0);
        long sample = c.FirstSample + 6;

        CollectionAssert.AreEqual(TestData.Features(sample), c.GetSample<float>("x", 6).ToArray());
        Assert.AreEqual(sample * 3, c.GetSample<long>("label", 6)[0]);
        CollectionAssert.AreEqual(TestData.Tokens(sample), c.GetSample<int>("tokens", 6).ToArray());
        Assert.ThrowsExactly<KeyNotFoundException>(() => c.GetSample<int>("missing", 6).Length);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => c.GetSample<int>("tokens", c.SampleCount).Length);
    }

    [TestMethod]
    public void Dispose_Twice_IsHarmlessAndUseAfterDisposeThrows()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 50, TestData.Options(CodecKind.Lz4));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        ChunkLease c = ds.ReadChunk(0, 0);
        c.Dispose();
        c.Dispose();
        Assert.AreEqual(0, ds.LiveLeases);
        Assert.ThrowsExactly<ObjectDisposedException>(() => _ = c.RawBytes.Length);
        Assert.ThrowsExactly<ObjectDisposedException>(() => _ = c.GetFixed<float>(0).Length);
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    public void Lease_OutlivesDataset_DataStaysValidUntilDisposed(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 100, TestData.Options(codec));
        ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using SampleLease s = ds.ReadSample(7);
        ds.Dispose();
        TestData.AssertMixedSample(s, 7);
        Assert.ThrowsExactly<ObjectDisposedException>(() => ds.ReadSample(8));
    }

    [TestMethod]
    public void Dispose_AfterManyReads_ReturnsEveryBufferToZero()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 2000, TestData.Options(CodecKind.Zstd, chunkBytes: 2048));
        ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(budget: 64 << 10));
        var held = new List<SampleLease>();
        for (long i = 0; i < ds.SampleCount; i += 37)
        {
            SampleLease s = ds.ReadSample(i);
            if (i % 5 == 0)
            {
                held.Add(s);
            }
            else
            {
                s.Dispose();
            }

            if (held.Count > 3)
            {
                held[0].Dispose();
                held.RemoveAt(0);
            }

            Assert.IsLessThanOrEqualTo(64L << 10, ds.DecodeBytesAllocated, "budget exceeded");
        }

        held.ForEach(s => s.Dispose());
        Assert.AreEqual(0, ds.LiveLeases);
        Assert.IsGreaterThan(0L, ds.DecodeBytesAllocated, "the cache keeps recent chunks");
        ds.Dispose();
        ds.Dispose();
        Assert.AreEqual(0, ds.DecodeBytesInUse);
        Assert.AreEqual(0, ds.DecodeBytesAllocated);
    }

    [TestMethod]
    public void ReadChunk_BudgetHeldByLiveLeases_ThrowsUntilOneIsDisposed()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(CodecKind.Lz4, chunkBytes: 60 << 10, shardBytes: 1 << 30));
        // Each decoded chunk takes a buffer of about 60 KiB, so a 128 KiB budget holds two.
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(budget: 128 << 10));
        Assert.IsGreaterThan(2, ds.GetChunkCount(0));
        ChunkLease a = ds.ReadChunk(0, 0);
        using ChunkLease b = ds.ReadChunk(0, 1);
        InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(() => ds.ReadChunk(0, 2));
        Assert.Contains("DecodeBudgetBytes", e.Message);
        a.Dispose();
        using ChunkLease c = ds.ReadChunk(0, 2);
        Assert.AreEqual(2, c.Chunk);
        Assert.IsLessThanOrEqualTo(128L << 10, ds.DecodeBytesAllocated);
    }

    [TestMethod]
    public void Open_BudgetSmallerThanLargestChunk_Throws()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(CodecKind.Lz4, chunkBytes: 60 << 10));
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardDataset.Open(path, TestData.ReadOptions(budget: 4096)));
        Assert.Contains("DecodeBudgetBytes", e.Message);
    }

    [TestMethod]
    public void Open_CompressedWithoutCodecProvider_ThrowsNotSupported()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 100, TestData.Options(CodecKind.Lz4));
        NotSupportedException e = Assert.ThrowsExactly<NotSupportedException>(() => ShardDataset.Open(path));
        Assert.Contains("NativeCodecs.Provider", e.Message);
    }

    [TestMethod]
    public void ReadSample_MoreShardsThanMappedLimit_RemapsAndReturnsValues()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(CodecKind.None, chunkBytes: 1024, shardBytes: 16 << 10));
        var options = new ShardDatasetOptions { MaxMappedShards = 2 };
        using ShardDataset ds = ShardDataset.Open(path, options);
        Assert.IsGreaterThan(4, ds.Shards.Count);
        var held = new List<SampleLease>();
        var random = new Random(3);
        for (int n = 0; n < 500; n++)
        {
            long i = random.NextInt64(ds.SampleCount);
            SampleLease s = ds.ReadSample(i);
            held.Add(s);
            if (held.Count > 5)
            {
                // A lease over an evicted shard's mapping must stay valid until it is disposed.
                TestData.AssertMixedSample(held[0], held[0].Index);
                held[0].Dispose();
                held.RemoveAt(0);
            }
        }

        held.ForEach(s => s.Dispose());
        Assert.AreEqual(0, ds.LiveLeases);
    }

    [TestMethod]
    public void ReadSample_ManyThreadsSmallBudget_AllValuesCorrect()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 4000, TestData.Options(CodecKind.Lz4, chunkBytes: 4096));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(ChecksumPolicy.FirstTouch, budget: 1 << 20));
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            var random = new Random(t);
            for (int n = 0; n < 1500; n++)
            {
                long i = random.NextInt64(ds.SampleCount);
                using SampleLease s = ds.ReadSample(i);
                TestData.AssertMixedSample(s, i);
            }
        });
        Assert.AreEqual(0, ds.LiveLeases);
        Assert.IsLessThanOrEqualTo(1L << 20, ds.DecodeBytesAllocated);
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    public void Dispose_WhileAnotherThreadReadsSamples_ReadsSucceedOrThrowObjectDisposed(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 600, TestData.Options(codec, shardBytes: 8 << 10));
        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = TestData.ReadOptions().Codecs, MaxMappedShards = 1, DecodeBudgetBytes = 1 << 20 });
        int disposedDuringReads = 0;
        for (int round = 0; round < 400; round++)
        {
            (int shard, int chunk, _) = ds.Locate((round * 37L) % ds.SampleCount);
            ChunkLease lease = ds.ReadChunk(shard, chunk);

            // Map another shard, so that the lease holds the last reference to its own shard's mapping.
            using (ds.ReadSample(shard == 0 ? ds.SampleCount - 1 : 0))
            {
            }

            using var start = new Barrier(2);
            Task<bool> reader = Task.Run(() =>
            {
                start.SignalAndWait();
                for (int k = 0; ; k++)
                {
                    int i = k % lease.SampleCount;
                    try
                    {
                        Assert.AreEqual(TestData.Tokens(lease.FirstSample + i).Length, lease.GetSample<int>(2, i).Length);
                    }
                    catch (ObjectDisposedException)
                    {
                        return k > 0;
                    }
                }
            });
            start.SignalAndWait();
            Thread.SpinWait(round % 64);
            lease.Dispose();
            disposedDuringReads += reader.GetAwaiter().GetResult() ? 1 : 0;
        }

        Assert.AreEqual(0, ds.LiveLeases);
        Assert.IsGreaterThan(0, disposedDuringReads, "no Dispose happened while reads were running");
    }
}
