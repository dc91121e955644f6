using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class DatasetMixtureTests
{
    [TestMethod]
    [DataRow(2, 3, SampleOrder.Window)]
    [DataRow(3, 1, SampleOrder.Random)]
    public void Ledger_RunWithRestartsOnAnotherWorldSize_ProvesEverySampleOnce(int fromWorld, int toWorld, SampleOrder order)
    {
        DatasetMixture mixture = LedgerMixture();
        ShardLoaderOptions options = LoaderHarness.Options(order, B) with { Epochs = 2, LogicalPartitions = 2, Ledger = true };
        var saved = new List<LoaderState>();

        // fromWorld ranks read 3 batches each, and the job stops.
        LoaderState[] first = [.. Enumerable.Range(0, fromWorld).Select(rank => Take(mixture, options with { WorldSize = fromWorld, Rank = rank }, 3))];
        saved.AddRange(first);

        // toWorld ranks go on from there (another world size: new ledgers from the state's position) to the end of
        // epoch 0 and 2 batches into epoch 1, saving their states at the end of epoch 0 and where they stop.
        var stopped = new LoaderState[toWorld];
        for (int rank = 0; rank < toWorld; rank++)
        {
            using ShardLoader loader = ShardLoader.Create(mixture, options with { WorldSize = toWorld, Rank = rank, ResumeFrom = RoundTrip(first[0]) });
            while (loader.GetState().Epoch == 0)
            {
                loader.NextBatch()!.Dispose();
            }

            LoaderState end = loader.GetState();
            Assert.AreEqual(first[0].Position, end.PreviousLedger!.From, $"rank {rank}: a new ledger from where the state stood");
            saved.Add(end);
            loader.NextBatch()!.Dispose();
            loader.NextBatch()!.Dispose();
            stopped[rank] = loader.GetState();
        }

        // The same ranks restart from their own states (the same world size: the ledgers go on) and finish.
        saved.AddRange(Enumerable.Range(0, toWorld).Select(rank => Take(mixture, options with { WorldSize = toWorld, Rank = rank, ResumeFrom = RoundTrip(stopped[rank]) }, int.MaxValue)));

        (List<string> problems, Dictionary<int, long> covered) = LedgerProof.Check(saved, e => PlannedKeys(mixture, options, e));
        Assert.IsEmpty(problems, string.Join("; ", problems));
        long epochSamples = mixture.GetSamplesPerEpoch(B).Sum();
        Assert.AreEqual(epochSamples, covered[0], "epoch 0 covered to its end");
        Assert.AreEqual(epochSamples, covered[1], "epoch 1 covered to its end");

        (problems, _) = LedgerProof.Check(saved.Skip(fromWorld), e => PlannedKeys(mixture, options, e));
        Assert.Contains($"starts at {first[0].Position}, not at 0", string.Join("; ", problems), "without the states from before the change of world size");
    }

    [TestMethod]
    [DataRow(1, "8 missing", DisplayName = "skipped batch")]
    [DataRow(-1, "8 repeated", DisplayName = "repeated batch")]
    public void Ledger_ResumeFromAPositionOffByABatch_ProofNamesTheCount(int batches, string expected)
    {
        DatasetMixture mixture = LedgerMixture();
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, B) with { Epochs = 1, Ledger = true };
        LoaderState middle = Take(mixture, options, 3);

        // A job that resumes one batch past (or before) where it stood, as if a checkpoint mixed two points in time.
        long moved = middle.Position + (batches * B);
        LoaderState wrong = middle with { Position = moved, Ledger = middle.Ledger! with { To = moved } };
        LoaderState end = Take(mixture, options with { ResumeFrom = wrong }, int.MaxValue);

        (List<string> problems, _) = LedgerProof.Check([end], e => PlannedKeys(mixture, options, e));
        Assert.HasCount(1, problems, string.Join("; ", problems));
        StringAssert.Contains(problems[0], expected);
    }

    [TestMethod]
    public void Ledger_Mixture_SumsTheKeysOfTheDeliveredSources()
    {
        DatasetMixture mixture = LedgerMixture();
        using ShardLoader loader = ShardLoader.Create(mixture, LoaderHarness.Options(SampleOrder.Random, B) with { Epochs = 1, Ledger = true });
        ulong sum = 0;
        long count = 0;
        while (loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                foreach (SampleSource s in batch.Sources)
                {
                    sum = unchecked(sum + LoaderLedger.Hash(LoaderLedger.Key(s.Stream, mixture.Streams[s.Stream].Split?.GetDatasetIndex(s.Index) ?? s.Index)));
                    count++;
                }
            }
        }

        LoaderLedger ledger = loader.GetState().PreviousLedger!;
        Assert.AreEqual(count, ledger.Count);
        Assert.AreEqual(sum, ledger.Sum);
        Assert.IsNull(ledger.Generation, "a mixture has no generation");
    }

    [TestMethod]
    public void GetState_SixteenStreamsWithLedgers_SerializesUnderOneKilobyte()
    {
        DatasetMixture mixture = DatasetMixture.Create(Enumerable.Range(0, 16).Select(i => MixtureStream.Weighted(Mixed[i % 3], 1.0 / (i + 3))), epochSamples: 1_000_000_007);
        using ShardLoader loader = ShardLoader.Create(mixture, LoaderHarness.Options(SampleOrder.Window, B) with { Seed = ulong.MaxValue, Epochs = null, Ledger = true });
        var widest = new LoaderLedger { Epoch = int.MaxValue, From = long.MaxValue, To = long.MaxValue, Rank = int.MaxValue - 1, WorldSize = int.MaxValue, Count = long.MaxValue, Sum = ulong.MaxValue };
        LoaderState state = loader.GetState() with { Epoch = int.MaxValue, Position = long.MaxValue, WorldSize = int.MaxValue, Ledger = widest, PreviousLedger = widest with { Epoch = int.MaxValue - 1 } };
        byte[] bytes = state.ToBytes();
        Assert.IsLessThan(1024, bytes.Length, "serialized size: " + System.Text.Encoding.UTF8.GetString(bytes));
        Assert.AreEqual(state, LoaderState.FromBytes(bytes), "round trip");
    }

    [TestMethod]
    public void LoaderLedgerKey_StreamAndIndex_FoldsTheStreamAboveBit56()
    {
        Assert.AreEqual(12345L, LoaderLedger.Key(0, 12345), "stream 0: the dataset index");
        Assert.AreEqual((3L << 56) + 7, LoaderLedger.Key(3, 7));
        Assert.AreEqual(unchecked((long)(255UL << 56)) + 9, LoaderLedger.Key(255, 9), "stream 255: the top byte, as unsigned 64-bit arithmetic");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LoaderLedger.Key(256, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LoaderLedger.Key(0, 1L << 56));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LoaderLedger.Key(-1, 0));
    }

    // Three streams, one of them half of a dataset by hash, so keys cover a split stream's dataset indices.
    private static DatasetMixture LedgerMixture()
    {
        DatasetSplit half = DatasetSplit.Partition(Fixed[1], SplitMethod.Hash, ["a", "b"], [0.5, 0.5], key: 3)[1];
        return DatasetMixture.Create([MixtureStream.Weighted(Fixed[0], 2), MixtureStream.Weighted(half, 1), MixtureStream.Weighted(Fixed[2], 1)]);
    }

    // The ledger keys of an epoch's global order: what every rank together is planned to deliver, position by position.
    private static long[] PlannedKeys(DatasetMixture mixture, ShardLoaderOptions options, int epoch) =>
        [.. ShardLoader.PlanEpoch(mixture, options with { WorldSize = 1, Rank = 0, DropLast = false }, epoch).SelectMany(b => b)
            .Select(s => LoaderLedger.Key(s.Stream, mixture.Streams[s.Stream].Split?.GetDatasetIndex(s.Index) ?? s.Index))];

    // Reads up to the given number of batches and returns where the loader then stands.
    private static LoaderState Take(DatasetMixture mixture, ShardLoaderOptions options, int batches)
    {
        using ShardLoader loader = ShardLoader.Create(mixture, options);
        for (int k = 0; k < batches && loader.NextBatch() is { } batch; k++)
        {
            batch.Dispose();
        }

        return loader.GetState();
    }

    private static LoaderState RoundTrip(LoaderState state) => LoaderState.FromBytes(state.ToBytes());
}
