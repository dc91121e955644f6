using System.Diagnostics.Metrics;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Internals.Writing;

/// <summary>The writer's instruments on the "ShardStore.Writer" meter, seen through a <see cref="MeterListener"/>.</summary>
/// <remarks>The meter is process-wide, so these tests run alone, after every parallel test.</remarks>
[TestClass]
[DoNotParallelize]
public sealed class WriterMetricsTests
{
    private const string MeterName = "ShardStore.Writer";

    [TestMethod]
    public void MeterListener_Pack_CountersAddUpToTheDatasetWritten()
    {
        using var dir = new TempDirectory();
        using var sums = new MeterSums(MeterName);

        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(CodecKind.Lz4));
        sums.Dispose();

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        long chunks = ds.ChunkCount;
        Assert.IsGreaterThan(1, ds.Shards.Count, "the test needs several shards");
        Assert.AreEqual(3000.0, sums.Sum("shardstore.writer.samples"), "samples");
        Assert.AreEqual(chunks, (long)sums.Sum("shardstore.writer.chunks"), "chunks");
        Assert.AreEqual(ds.Shards.Count, (int)sums.Sum("shardstore.writer.shards"), "shards");
        Assert.AreEqual(ds.Shards.Sum(s => s.RawBytes), (long)sums.Sum("shardstore.writer.bytes_in"), "raw bytes");
        Assert.AreEqual(ds.Shards.Sum(s => s.StoredBytes), (long)sums.Sum("shardstore.writer.bytes_out"), "stored bytes");
        Assert.IsTrue(sums.Recorded("shardstore.writer.encode_wait") && sums.Recorded("shardstore.writer.flush_wait"), "both waits are recorded");
    }
}
