using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Internals.Loading;

/// <summary>The loader's instruments on the "ShardStore.Loader" meter, seen through a <see cref="MeterListener"/>.</summary>
/// <remarks>The meter is process-wide, so these tests run alone, after every parallel test.</remarks>
[TestClass]
[DoNotParallelize]
public sealed class LoaderMetricsTests
{
    private const string MeterName = "ShardStore.Loader";

    [TestMethod]
    public void MeterListener_FullRun_CountersAddUpToWhatWasDelivered()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, 600, CodecKind.Lz4), TestData.ReadOptions());
        var sums = new ConcurrentDictionary<string, double>();
        long budgetLevel = 0;
        long budgetPeak = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) =>
        {
            sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
            if (instrument.Name == "shardstore.loader.budget_in_use")
            {
                long level = Interlocked.Add(ref budgetLevel, value);
                InterlockedMax(ref budgetPeak, level);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value));
        listener.Start();

        long batches = 0;
        long samples = 0;
        long bytes = 0;
        ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(SampleOrder.Window, 16) with { WorldSize = 2, Rank = 1, Epochs = 2 });
        using (loader)
        {
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    batches++;
                    samples += batch.Count;
                    for (int f = 0; f < batch.Schema.Count; f++)
                    {
                        bytes += batch.GetBytes(f).Length;
                    }
                }
            }
        }

        listener.RecordObservableInstruments();
        ShardLoaderStatistics stats = loader.Statistics;
        Assert.AreEqual(2 * loader.BatchesPerEpoch, batches);
        Assert.AreEqual(batches, stats.Batches, "Statistics.Batches");
        Assert.AreEqual(samples, stats.Samples, "Statistics.Samples");
        Assert.AreEqual(bytes, stats.Bytes, "Statistics.Bytes");
        Assert.AreEqual(batches, Sum(sums, "shardstore.loader.batches"), "batches counter");
        Assert.AreEqual(samples, Sum(sums, "shardstore.loader.samples"), "samples counter");
        Assert.AreEqual(bytes, Sum(sums, "shardstore.loader.bytes"), "bytes counter");
        Assert.AreEqual(0L, (long)Sum(sums, "shardstore.loader.budget_in_use"), "budget in use after dispose");
        Assert.IsGreaterThan(0L, Interlocked.Read(ref budgetPeak), "the budget counter rose while the loader ran");
        Assert.AreEqual(stats.DecodeTime.TotalSeconds, Sum(sums, "shardstore.loader.decode_time"), 1e-3, "decode time counter");
        Assert.IsGreaterThan(0.0, Sum(sums, "shardstore.loader.decode_time"), "decode time of lz4 chunks");
        Assert.AreEqual(stats.ConsumerWait.TotalSeconds, Sum(sums, "shardstore.loader.consumer_wait"), 1e-3, "consumer wait counter");
    }

    private static double Sum(ConcurrentDictionary<string, double> sums, string instrument) =>
        sums.TryGetValue(instrument, out double sum) ? sum : throw new AssertFailedException($"No measurement of {instrument}.");

    private static void InterlockedMax(ref long target, long value)
    {
        long current = Interlocked.Read(ref target);
        while (value > current)
        {
            long seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
