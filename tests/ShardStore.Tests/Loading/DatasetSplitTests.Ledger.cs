using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class DatasetSplitTests
{
    [TestMethod]
    [DataRow(SplitMethod.Hash, SampleOrder.Random)]
    [DataRow(SplitMethod.Range, SampleOrder.Window)]
    public void Ledger_SplitRunWithRestartsOnAnotherWorldSize_ProvesEverySampleOnceByDatasetIndex(SplitMethod method, SampleOrder order)
    {
        DatasetSplit train = DatasetSplit.Partition(Dataset, method, ["train", "test"], [0.75, 0.25], key: 17)[0];
        ShardLoaderOptions options = LoaderHarness.Options(order, B) with { Epochs = 2, LogicalPartitions = 2, Ledger = true };
        var saved = new List<LoaderState>();

        // Two ranks read 3 batches each; three go on from there and finish, checking what the ledger hashes.
        LoaderState[] first = [.. Enumerable.Range(0, 2).Select(rank => Take(train, options with { WorldSize = 2, Rank = rank }, 3))];
        saved.AddRange(first);
        for (int rank = 0; rank < 3; rank++)
        {
            using ShardLoader loader = ShardLoader.Create(train, options with { WorldSize = 3, Rank = rank, ResumeFrom = LoaderState.FromBytes(first[0].ToBytes()) });
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    for (int i = 0; i < batch.Count; i++)
                    {
                        Assert.AreEqual(train.GetDatasetIndex(batch.Sources[i].Index), batch.SampleIndices[i], "SampleIndices are dataset indices");
                    }
                }

                if (loader.GetState() is { Epoch: 1, Position: 0 } end)
                {
                    saved.Add(end);
                }
            }

            saved.Add(loader.GetState());
        }

        (List<string> problems, Dictionary<int, long> covered) = LedgerProof.Check(saved, e => PlannedDatasetIndices(train, options, e));
        Assert.IsEmpty(problems, string.Join("; ", problems));
        Assert.AreEqual(train.SampleCount, covered[0]);
        Assert.AreEqual(train.SampleCount, covered[1]);
    }

    [TestMethod]
    [DataRow(1, "8 missing", DisplayName = "skipped batch")]
    [DataRow(-1, "8 repeated", DisplayName = "repeated batch")]
    public void Ledger_SplitResumedOffByABatch_ProofNamesTheCount(int batches, string expected)
    {
        DatasetSplit test = DatasetSplit.Partition(Dataset, SplitMethod.Hash, ["train", "test"], [0.5, 0.5], key: 5)[1];
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, B) with { Epochs = 1, Ledger = true };
        LoaderState middle = Take(test, options, 4);
        long moved = middle.Position + (batches * B);
        LoaderState end = Take(test, options with { ResumeFrom = middle with { Position = moved, Ledger = middle.Ledger! with { To = moved } } }, int.MaxValue);

        (List<string> problems, _) = LedgerProof.Check([end], e => PlannedDatasetIndices(test, options, e));
        Assert.HasCount(1, problems, string.Join("; ", problems));
        StringAssert.Contains(problems[0], expected);
    }

    // The dataset indices of the split's epoch order, all ranks together: what a split loader's ledger hashes.
    private static long[] PlannedDatasetIndices(DatasetSplit split, ShardLoaderOptions options, int epoch) =>
        [.. ShardLoader.PlanEpoch(DatasetMixture.Create([MixtureStream.Sampled(split, split.SampleCount)]), options with { WorldSize = 1, Rank = 0, DropLast = false }, epoch)
            .SelectMany(b => b).Select(s => split.GetDatasetIndex(s.Index))];

    private static LoaderState Take(DatasetSplit split, ShardLoaderOptions options, int batches)
    {
        using ShardLoader loader = ShardLoader.Create(split, options);
        for (int k = 0; k < batches && loader.NextBatch() is { } batch; k++)
        {
            batch.Dispose();
        }

        return loader.GetState();
    }
}
