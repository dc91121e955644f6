using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ShardStore.Cuda.Internals.Backends;
using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests.Internals;

/// <summary>The device ring's instruments on the "ShardStore.Device" meter, seen through a <see cref="MeterListener"/>.</summary>
/// <remarks>The meter is process-wide, so these tests run alone, after every parallel test.</remarks>
[TestClass]
[DoNotParallelize]
public sealed class DeviceMetricsTests
{
    private const string MeterName = "ShardStore.Device";

    [TestMethod]
    public void MeterListener_TwoEpochsOnTheHostBackend_CountersAddUpToTheRingsStatistics()
    {
        using var data = new RingDataset(600);
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

        ShardLoaderOptions options = RingData.LoaderOptions(batchSize: 32, epochs: 2);
        using ShardLoader loader = ShardLoader.Create(data.Dataset, options);
        DeviceRingStatistics stats;
        using (DeviceRing ring = DeviceRingTests.CreateRing(loader, new HostBackend(), new DeviceRingOptions { SlotCount = 2 }))
        {
            while (ring.Next() is { } batch)
            {
                batch.Synchronize();
                batch.Dispose();
            }

            stats = ring.Statistics;
        }

        listener.Dispose();
        Assert.AreEqual(2 * loader.BatchesPerEpoch, stats.Batches);
        Assert.AreEqual(stats.Batches, (long)Sum(sums, "shardstore.device.batches"), "batches");
        Assert.AreEqual(stats.Bytes, (long)Sum(sums, "shardstore.device.bytes"), "bytes");
        Assert.IsGreaterThan(0.0, Sum(sums, "shardstore.device.copy_issue_time"), "copy issue time");
        Assert.AreEqual(stats.ConsumerWait.TotalSeconds, Sum(sums, "shardstore.device.consumer_wait"), 1e-3, "consumer wait");
        Assert.IsTrue(sums.ContainsKey("shardstore.device.slot_wait") || sums.ContainsKey("shardstore.device.copy_wait"), "with two slots over 38 batches, the copy thread waited for a slot");
    }

    private static double Sum(ConcurrentDictionary<string, double> sums, string name) => sums.TryGetValue(name, out double v) ? v : 0;
}
