using System.Diagnostics;
using System.Globalization;
using ShardStore.Internals.Caching;
using ShardStore.Tests.Internals.Caching.Infrastructure;

namespace ShardStore.Tests.Internals.Caching;

public sealed partial class ChunkFileCacheTests
{
    [TestMethod]
    public void TryWrite_TwoProcessesFillOneDirectory_LimitNeverExceededOnDisk()
    {
        const long Limit = 48 * 1024;   // about 20 of the stress program's 1-4 KiB chunks, of 200
        TimeSpan bound = TimeSpan.FromMinutes(3);
        using var dir = new TempDirectory();
        string cache = dir.Combine("cache");
        string go = dir.Combine("go");
        string limit = Limit.ToString(CultureInfo.InvariantCulture);

        // One process evicts by recency, the other by a plan it keeps redrawing; both read, check and write the same chunks.
        using var first = CacheStressProcess.Start(cache, limit, Key, "1", "2500", "lru", dir.Combine("ready-1"), go);
        using var second = CacheStressProcess.Start(cache, limit, Key, "2", "2500", "plan", dir.Combine("ready-2"), go);
        WaitUntil(() => File.Exists(dir.Combine("ready-1")) && File.Exists(dir.Combine("ready-2")), first, second, bound, "both processes opened the cache");
        File.WriteAllText(go, "");

        long max = 0;
        int samplesWhileBothRan = 0;
        var clock = Stopwatch.StartNew();
        while (!first.HasExited || !second.HasExited)
        {
            Assert.IsLessThan(bound, clock.Elapsed, $"the processes did not finish within {bound}.\n{first.Error}\n{second.Error}");
            bool bothRunning = !first.HasExited && !second.HasExited;
            max = Math.Max(max, CacheFiles.BytesOnDiskLocked(cache));
            if (bothRunning && !first.HasExited && !second.HasExited)
            {
                samplesWhileBothRan++;
            }

            Thread.Sleep(2);
        }

        Assert.AreEqual(0, first.WaitForExit(bound), $"first process: {first.Error}");
        Assert.AreEqual(0, second.WaitForExit(bound), $"second process: {second.Error}");
        Assert.IsGreaterThan(0, samplesWhileBothRan, "the directory was measured while both processes wrote");
        Assert.IsLessThanOrEqualTo(Limit, max, $"the most bytes measured on disk, over {samplesWhileBothRan} samples");
        long final = CacheFiles.BytesOnDisk(cache);
        Assert.IsLessThanOrEqualTo(Limit, final);
        StringAssert.Matches(first.Output, new System.Text.RegularExpressions.Regex(@"evicted=[1-9]"), "the first process evicted");
        StringAssert.Matches(second.Output, new System.Text.RegularExpressions.Regex(@"evicted=[1-9]"), "the second process evicted");

        // The shared state agrees with the files: no reservation leaked, no entry counted twice or lost.
        CacheState state = CacheStateFile.TryRead(Path.Combine(cache, CacheLayout.StateFileName)) ?? throw new AssertFailedException("no valid state file");
        Assert.AreEqual(0, state.Reservations.Count);
        Assert.AreEqual(final, state.UsedBytes);
        Assert.HasCount(state.Entries.Count, Directory.EnumerateFiles(Path.Combine(cache, Key), "*", SearchOption.AllDirectories));
    }

    private static void WaitUntil(Func<bool> condition, CacheStressProcess first, CacheStressProcess second, TimeSpan bound, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (first.HasExited || second.HasExited || clock.Elapsed > bound)
            {
                Assert.Fail($"Waited {clock.Elapsed} for: {what}.\nfirst: {first.Error}\nsecond: {second.Error}");
            }

            Thread.Sleep(10);
        }
    }
}
