using System.Collections.Concurrent;
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
        var sums = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.Start();

        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(CodecKind.Lz4));
        listener.Dispose();

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        long chunks = ds.ChunkCount;
        Assert.IsGreaterThan(1, ds.Shards.Count, "the test needs several shards");
        Assert.AreEqual(3000.0, Sum(sums, "shardstore.writer.samples"), "samples");
        Assert.AreEqual(chunks, (long)Sum(sums, "shardstore.writer.chunks"), "chunks");
        Assert.AreEqual(ds.Shards.Count, (int)Sum(sums, "shardstore.writer.shards"), "shards");
        Assert.AreEqual(ds.Shards.Sum(s => s.RawBytes), (long)Sum(sums, "shardstore.writer.bytes_in"), "raw bytes");
        Assert.AreEqual(ds.Shards.Sum(s => s.StoredBytes), (long)Sum(sums, "shardstore.writer.bytes_out"), "stored bytes");
        Assert.IsTrue(sums.ContainsKey("shardstore.writer.encode_wait") && sums.ContainsKey("shardstore.writer.flush_wait"), "both waits are recorded");
    }

    private static double Sum(ConcurrentDictionary<string, double> sums, string name) => sums.TryGetValue(name, out double v) ? v : 0;
}
