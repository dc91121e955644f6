using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

public sealed partial class RemoteCacheTests
{
    [TestMethod]
    public async Task NextBatch_TwoLoaderProcessesShareACacheOfAThird_LimitNeverExceededOnDisk()
    {
        const int World = 2;
        const int Epochs = 3;
        var s3 = await SharedAsync();
        var expected = new string[World];
        long stored;
        using (var local = s3.OpenLocal())
        {
            stored = local.Shards.Sum(s => s.StoredBytes);
            for (var rank = 0; rank < World; rank++)
            {
                expected[rank] = Summary(LoaderRuns.Run(local, LoaderRuns.Options(SampleOrder.Window) with { Epochs = Epochs, WorldSize = World, Rank = rank }));
            }
        }

        var limit = stored / 3;
        var bound = TimeSpan.FromMinutes(3);
        using var dir = new TempDirectory();
        var cache = dir.Combine("cache");
        var go = dir.Combine("go");
        var ranks = new CacheStressProcess[World];
        try
        {
            for (var rank = 0; rank < World; rank++)
            {
                ranks[rank] = CacheStressProcess.Start(
                    "loader",
                    s3.Server.ServiceUrl,
                    s3.Location,
                    cache,
                    limit.ToString(CultureInfo.InvariantCulture),
                    rank.ToString(CultureInfo.InvariantCulture),
                    World.ToString(CultureInfo.InvariantCulture),
                    Epochs.ToString(CultureInfo.InvariantCulture),
                    dir.Combine($"ready-{rank}"),
                    go);
            }

            WaitUntilReady(ranks, dir, bound);
            File.WriteAllText(go, "");

            // Sampled under the cache's lock, as often as the lock allows, while either rank runs.
            long most = 0;
            var samples = 0;
            var samplesWhileBothRan = 0;
            var clock = Stopwatch.StartNew();
            while (ranks.Any(r => !r.HasExited))
            {
                Assert.IsLessThan(bound, clock.Elapsed, $"the ranks did not finish within {bound}.\n{Errors(ranks)}");
                var bothRan = ranks.All(r => !r.HasExited);
                most = Math.Max(most, CacheDirectory.BytesOnDiskLocked(cache, TimeSpan.FromSeconds(30)));
                samples++;
                if (bothRan && ranks.All(r => !r.HasExited))
                {
                    samplesWhileBothRan++;
                }

                Thread.Sleep(2);
            }

            var final = CacheDirectory.BytesOnDiskLocked(cache, TimeSpan.FromSeconds(30));
            for (var rank = 0; rank < World; rank++)
            {
                Assert.AreEqual(0, ranks[rank].WaitForExit(bound), $"rank {rank} exit code; stderr:\n{ranks[rank].Error}");
                TestContext.WriteLine($"rank {rank}: {ranks[rank].Output.Trim()}");
            }

            TestContext.WriteLine($"limit {limit} of {stored} stored bytes; at most {most} bytes on disk over {samples} samples ({samplesWhileBothRan} while both ranks ran), {final} at the end");
            for (var rank = 0; rank < World; rank++)
            {
                StringAssert.StartsWith(ranks[rank].Output, expected[rank], $"rank {rank}: batches, samples and their order against the local run");
            }

            Assert.IsGreaterThan(0, samplesWhileBothRan, "the directory was measured while both ranks ran");
            Assert.IsLessThanOrEqualTo(limit, most, "the most bytes measured on disk");
            Assert.IsLessThanOrEqualTo(limit, final, "bytes on disk at the end");
            var evicted = ranks.Sum(r => long.Parse(Regex.Match(r.Output, @"evicted=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture));
            Assert.IsGreaterThan(0L, evicted, "entries the ranks evicted from a cache of a third of the dataset");
        }
        finally
        {
            foreach (var rank in ranks)
            {
                rank?.Dispose();
            }
        }
    }

    // What CacheStress prints first for a run: its batches, samples and the checksum of the (epoch, sample) order.
    private static string Summary(List<RecordedBatch> batches)
    {
        var checksum = SampleChecksum.Start;
        foreach (var batch in batches)
        {
            foreach (var sample in batch.Samples)
            {
                checksum = SampleChecksum.Add(checksum, batch.Epoch, sample);
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"batches={batches.Count} samples={batches.Sum(b => b.Samples.Length)} checksum={checksum:x16} ");
    }

    private static void WaitUntilReady(CacheStressProcess[] ranks, TempDirectory dir, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (!Enumerable.Range(0, ranks.Length).All(r => File.Exists(dir.Combine($"ready-{r}"))))
        {
            if (ranks.Any(r => r.HasExited) || clock.Elapsed > bound)
            {
                Assert.Fail($"Waited {clock.Elapsed} for both ranks to open the dataset.\n{Errors(ranks)}");
            }

            Thread.Sleep(10);
        }
    }

    private static string Errors(CacheStressProcess[] ranks) =>
        string.Join("\n", ranks.Select((r, i) => $"rank {i} stderr: {r?.Error}"));
}
