using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

[TestClass]
public sealed class DatasetRoundTripTests
{
    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Lz4HC)]
    [DataRow(CodecKind.Zstd)]
    public void ReadSample_EveryCodecAcrossShardsAndChunks_ReturnsWrittenValues(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(codec));

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.AreEqual(3000, ds.SampleCount);
        Assert.IsGreaterThan(1, ds.Shards.Count, "several shards");
        Assert.IsGreaterThan(ds.Shards.Count, ds.ChunkCount, "several chunks per shard");
        for (long i = 0; i < ds.SampleCount; i++)
        {
            using SampleLease s = ds.ReadSample(i);
            TestData.AssertMixedSample(s, i);
        }

        Assert.AreEqual(0, ds.LiveLeases);
    }
}
