using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

/// <summary><see cref="ShardLoader"/> over a dataset opened at an <c>s3://</c> location, compared batch by batch with the same loader over the copy on disk.</summary>
[TestClass]
public sealed partial class RemoteLoaderTests
{
    private const int LoaderSamples = 600;
    private static readonly TimeSpan s_bound = TimeSpan.FromMinutes(2);

    // One copy shared by the tests that only read it; tests of one class run one at a time.
    private static readonly SemaphoreSlim s_sharedGate = new(1, 1);
    private static RemoteDataset? s_shared;

    [ClassCleanup]
    public static void Cleanup() => s_shared?.Dispose();

    [TestMethod]
    [DataRow(SampleOrder.Sequential, 1)]
    [DataRow(SampleOrder.Window, 1)]
    [DataRow(SampleOrder.Random, 1)]
    [DataRow(SampleOrder.Sequential, 3)]
    [DataRow(SampleOrder.Window, 3)]
    [DataRow(SampleOrder.Random, 3)]
    public async Task NextBatch_OverS3_DeliversTheBatchesOfTheLocalCopy(SampleOrder order, int worldSize)
    {
        var s3 = await SharedAsync();
        using var local = s3.OpenLocal();
        using var remote = s3.OpenRemote();
        Assert.IsGreaterThan(3, remote.Shards.Count, "shards");
        Assert.IsGreaterThan(3L * remote.Shards.Count, remote.ChunkCount, "chunks: several in each shard, so that read-ahead coalesces adjacent ones");

        var samples = new List<long>[2] { [], [] };
        for (var rank = 0; rank < worldSize; rank++)
        {
            var options = LoaderRuns.Options(order) with { Epochs = 2, WorldSize = worldSize, Rank = rank };
            var expected = LoaderRuns.Run(local, options);
            var actual = await Task.Run(() => LoaderRuns.Run(remote, options)).WaitAsync(s_bound);

            LoaderRuns.AssertSameBatches(expected, actual, $"rank {rank} of {worldSize}");
            foreach (var batch in actual)
            {
                samples[batch.Epoch].AddRange(batch.Samples);
            }
        }

        for (var epoch = 0; epoch < samples.Length; epoch++)
        {
            CollectionAssert.AreEquivalent(Enumerable.Range(0, LoaderSamples).Select(i => (long)i).ToArray(), samples[epoch].ToArray(), $"epoch {epoch}: every sample once over all ranks");
        }
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, 1)]
    [DataRow(SampleOrder.Window, 1)]
    [DataRow(SampleOrder.Random, 1)]
    [DataRow(SampleOrder.Sequential, 3)]
    [DataRow(SampleOrder.Window, 3)]
    [DataRow(SampleOrder.Random, 3)]
    public async Task GetState_MidEpochOverS3_ResumedLoaderOverS3DeliversTheRestOfTheLocalRun(SampleOrder order, int worldSize)
    {
        var s3 = await SharedAsync();
        var options = LoaderRuns.Options(order) with { WorldSize = worldSize, Rank = worldSize - 1 };
        List<RecordedBatch> expected;
        using (var local = s3.OpenLocal())
        {
            expected = LoaderRuns.Run(local, options);
        }

        var before = expected.Count / 2;
        LoaderState state;
        using (var remote = s3.OpenRemote())
        {
            using var loader = ShardLoader.Create(remote, options);
            var first = await Task.Run(() => LoaderRuns.Drain(loader, before)).WaitAsync(s_bound);
            LoaderRuns.AssertSameBatches(expected[..before], first, "before the state was taken");
            state = loader.GetState();
        }

        Assert.AreEqual(0, state.Epoch, "the state is taken mid-epoch");
        using var reopened = s3.OpenRemote();
        var rest = await Task.Run(() => LoaderRuns.Run(reopened, options with { ResumeFrom = state })).WaitAsync(s_bound);

        LoaderRuns.AssertSameBatches(LoaderRuns.Renumbered(expected[before..]), rest, $"resumed after {before} batches");
    }

    [TestMethod]
    public async Task Create_ZeroCopyOverS3_ThrowsArgumentNamingTheReadMode()
    {
        var s3 = await SharedAsync();
        using var remote = s3.OpenRemote();

        var e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(remote, LoaderRuns.Options(SampleOrder.Sequential) with { ZeroCopy = true }).Dispose());

        StringAssert.Contains(e.Message, "ShardReadMode.Direct");
        Assert.AreEqual(0L, remote.LiveLeases, "leases after the refused loader");
    }

    private static async Task<RemoteDataset> SharedAsync()
    {
        await s_sharedGate.WaitAsync(s_bound);
        try
        {
            return s_shared ??= await RemoteDataset.CreateAsync(path => TestDatasets.WriteMixed(path, LoaderSamples));
        }
        finally
        {
            s_sharedGate.Release();
        }
    }
}
