using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

public sealed partial class RemoteLoaderTests
{
    private const int FaultSamples = 400;

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public async Task NextBatch_ServerRestartedMidEpochWithinTheDeadline_DeliversEverySampleOnceIntact(SampleOrder order)
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples));
        var options = LoaderRuns.Options(order);
        var expected = LocalRun(s3, options);
        using var remote = s3.OpenRemote(retryDeadline: TimeSpan.FromSeconds(90), attemptTimeout: TimeSpan.FromSeconds(2));
        using var loader = ShardLoader.Create(remote, options);
        var delivered = await Task.Run(() => LoaderRuns.Drain(loader, 3)).WaitAsync(s_bound);

        // The server is down from here until the restarted one holds the objects again; the loader keeps reading meanwhile.
        var restart = s3.RestartServerAsync();
        await Task.Run(() => LoaderRuns.Drain(loader, into: delivered, check: TestDatasets.AssertMixedValues)).WaitAsync(s_bound);
        await restart.WaitAsync(s_bound);

        LoaderRuns.AssertSameBatches(expected, delivered, "across the restart");
        CollectionAssert.AreEquivalent(Enumerable.Range(0, FaultSamples).Select(i => (long)i).ToArray(), delivered.SelectMany(b => b.Samples).ToArray(), "every sample once");
    }

    [TestMethod]
    [DataRow("delayed", SampleOrder.Window)]
    [DataRow("truncated", SampleOrder.Sequential)]
    [DataRow("truncated", SampleOrder.Random)]
    [DataRow("corrupted", SampleOrder.Sequential)]
    [DataRow("corrupted", SampleOrder.Window)]
    [DataRow("corrupted", SampleOrder.Random)]
    public async Task NextBatch_ShardResponsesDamagedOnTheWay_RefetchedAndDeliversTheLocalBatches(string damage, SampleOrder order)
    {
        const int Faults = 3;
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples), proxy: true);
        var proxy = s3.Proxy!;
        var options = LoaderRuns.Options(order);
        var expected = LocalRun(s3, options);
        using var remote = s3.OpenRemote(attemptTimeout: TimeSpan.FromSeconds(1));
        using var loader = ShardLoader.Create(remote, options);

        // Armed before the first batch: the loader's read-ahead may fetch the rest of a small dataset at once.
        proxy.ClearRequests();
        var delivered = new List<RecordedBatch>();
        var fault = damage switch
        {
            "delayed" => ProxyFault.Delayed(TimeSpan.FromSeconds(4)),
            "truncated" => ProxyFault.Truncated(bodyBytes: 100),
            _ => ProxyFault.Corrupted(bodyOffset: 7),
        };
        proxy.Inject(fault, Faults, (method, target) => method == "GET" && target.Contains(".shard", StringComparison.Ordinal));
        await Task.Run(() => LoaderRuns.Drain(loader, into: delivered, check: TestDatasets.AssertMixedValues)).WaitAsync(s_bound);

        Assert.AreEqual(Faults, proxy.Applied, "every armed fault met a chunk read");
        LoaderRuns.AssertSameBatches(expected, delivered, $"with {damage} responses");
        if (damage == "corrupted")
        {
            AssertCorruptedBytesFetchedAgain(proxy.Requests);
        }
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public async Task NextBatch_OutageLongerThanTheDeadline_ThrowsDeadlineExceededAfterIntactBatchesAndResumesExactly(SampleOrder order)
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples));
        var options = LoaderRuns.Options(order);
        var expected = LocalRun(s3, options);
        LoaderState state;
        int delivered;
        using (var remote = s3.OpenRemote(retryDeadline: TimeSpan.FromSeconds(2), attemptTimeout: TimeSpan.FromSeconds(1)))
        {
            (state, delivered) = await RunIntoOutageAsync(s3, remote, options, expected);
        }

        // As a job restarted after the outage would: a fresh open of the dataset, the loader resumed from the last state.
        await s3.RestartServerAsync().WaitAsync(s_bound);
        using var reopened = s3.OpenRemote();
        var rest = await Task.Run(() => LoaderRuns.Run(reopened, options with { ResumeFrom = state })).WaitAsync(s_bound);

        LoaderRuns.AssertSameBatches(LoaderRuns.Renumbered(expected[delivered..]), rest, $"resumed after {delivered} batches");
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    public Task NextBatch_OutageLongerThanTheDeadline_ResumedOnTheSameOpenDatasetContinuesExactly(SampleOrder order) =>
        ResumeOnTheSameOpenDatasetAsync(order);

    [TestMethod]
    public Task NextBatch_OutageLongerThanTheDeadlineInRandomOrder_ResumedOnTheSameOpenDatasetContinuesExactly() =>
        ResumeOnTheSameOpenDatasetAsync(SampleOrder.Random);

    private static async Task ResumeOnTheSameOpenDatasetAsync(SampleOrder order)
    {
        using var s3 = await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, FaultSamples));
        var options = LoaderRuns.Options(order);
        var expected = LocalRun(s3, options);
        using var remote = s3.OpenRemote(retryDeadline: TimeSpan.FromSeconds(2), attemptTimeout: TimeSpan.FromSeconds(1));
        var (state, delivered) = await RunIntoOutageAsync(s3, remote, options, expected);

        await s3.RestartServerAsync().WaitAsync(s_bound);
        var rest = await Task.Run(() => LoaderRuns.Run(remote, options with { ResumeFrom = state })).WaitAsync(s_bound);

        LoaderRuns.AssertSameBatches(LoaderRuns.Renumbered(expected[delivered..]), rest, $"resumed after {delivered} batches");
    }

    // Reads two batches, stops the server for good, reads on until the loader fails; checks the failure and every batch
    // before it, and returns the state after the last batch delivered and how many were.
    private static async Task<(LoaderState State, int Delivered)> RunIntoOutageAsync(RemoteDataset s3, ShardDataset remote, ShardLoaderOptions options, List<RecordedBatch> expected)
    {
        var delivered = new List<RecordedBatch>();
        LoaderState state;
        S3DeadlineExceededException e;
        using (var loader = ShardLoader.Create(remote, options))
        {
            await Task.Run(() => LoaderRuns.Drain(loader, 2, delivered)).WaitAsync(s_bound);
            state = loader.GetState();
            s3.Server.Stop();

            e = await Assert.ThrowsExactlyAsync<S3DeadlineExceededException>(() => Task.Run(() =>
            {
                while (loader.NextBatch() is { } batch)
                {
                    using (batch)
                    {
                        TestDatasets.AssertMixedValues(batch);
                        delivered.Add(LoaderRuns.Record(batch));
                        state = loader.GetState();
                    }
                }
            }).WaitAsync(s_bound));
        }

        Assert.IsNotNull(e.ObjectUri, "the error names the object");
        StringAssert.StartsWith(e.ObjectUri, s3.Location + "/shard-", "the object is a shard of the dataset");
        StringAssert.Contains(e.Message, e.ObjectUri);
        Assert.IsNotNull(e.Offset, "the error names the range");
        Assert.IsNotNull(e.Count, "the error names the range");
        StringAssert.Contains(e.Message, $"bytes {e.Offset}-{e.Offset + e.Count - 1}");
        Assert.IsLessThan(expected.Count, delivered.Count, "the outage stopped the epoch");
        LoaderRuns.AssertSameBatches(expected[..delivered.Count], delivered, "before the outage");
        Assert.AreEqual(0L, remote.LiveLeases, "leases after the failed loader was disposed");
        return (state, delivered.Count);
    }

    // Each corrupted response was followed by another GET of the same object whose range holds the byte that was corrupted.
    private static void AssertCorruptedBytesFetchedAgain(IReadOnlyList<ProxyRequest> requests)
    {
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i].Fault?.CorruptBodyAt is not { } at)
            {
                continue;
            }

            var range = requests[i].Bytes ?? throw new AssertFailedException($"corrupted request {requests[i]} has no range");
            var corrupted = range.First + at;
            var target = requests[i].Target.Split('?')[0];
            var again = requests.Skip(i + 1).Count(r => r.Method == "GET" && r.Target.Split('?')[0] == target && r.Bytes is { } b && b.First <= corrupted && corrupted <= b.Last);
            Assert.IsGreaterThan(0, again, $"byte {corrupted} of {target}, corrupted on the way, was fetched again");
        }
    }

    private static List<RecordedBatch> LocalRun(RemoteDataset s3, ShardLoaderOptions options)
    {
        using var local = s3.OpenLocal();
        return LoaderRuns.Run(local, options);
    }
}
