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
        using var sums = new MeterSums(MeterName);

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

        sums.Dispose();
        Assert.AreEqual(2 * loader.BatchesPerEpoch, stats.Batches);
        Assert.AreEqual(stats.Batches, (long)sums.Sum("shardstore.device.batches"), "batches");
        Assert.AreEqual(stats.Bytes, (long)sums.Sum("shardstore.device.bytes"), "bytes");
        Assert.IsGreaterThan(0.0, sums.Sum("shardstore.device.copy_issue_time"), "copy issue time");
        Assert.AreEqual(stats.ConsumerWait.TotalSeconds, sums.Sum("shardstore.device.consumer_wait"), 1e-3, "consumer wait");
        Assert.IsTrue(sums.Recorded("shardstore.device.slot_wait") || sums.Recorded("shardstore.device.copy_wait"), "with two slots over 38 batches, the copy thread waited for a slot");
    }
}
