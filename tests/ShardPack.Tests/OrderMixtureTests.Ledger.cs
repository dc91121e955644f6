using System.Globalization;
using ShardPack.Tests.Infrastructure;
using ShardStore.Compression;

namespace ShardPack.Tests;

public sealed partial class OrderMixtureTests
{
    private const int LedgerBatch = 8;

    [TestMethod]
    public void OrderLedger_MixtureRunWithRestartsOnAnotherWorldSize_PrintsOk()
    {
        using var dir = new TempDirectory();
        (string a, string b, string[] mix, DatasetMixture mixture, IDisposable datasets) = LedgerMixture(dir);
        using (datasets)
        {
            ShardLoaderOptions options = LedgerOptions() with { Epochs = 2 };
            long epochSamples = mixture.GetSamplesPerEpoch(LedgerBatch).Sum();
            var files = new List<string>();

            // Two ranks read 4 batches each of epoch 0, and the job stops.
            LoaderState[] first = [.. Enumerable.Range(0, 2).Select(rank => Take(mixture, options with { WorldSize = 2, Rank = rank }, 4))];
            files.AddRange(Save(dir, "a", first));

            // Three ranks go on from there (new ledgers from position 64) to the end of epoch 0 and 2 batches into
            // epoch 1, then restart from their own states (the ledgers go on) and finish.
            var ends = new List<LoaderState>();
            var stopped = new List<LoaderState>();
            for (int rank = 0; rank < 3; rank++)
            {
                using ShardLoader loader = ShardLoader.Create(mixture, options with { WorldSize = 3, Rank = rank, ResumeFrom = first[0] });
                while (loader.GetState().Epoch == 0)
                {
                    loader.NextBatch()!.Dispose();
                }

                ends.Add(loader.GetState());
                loader.NextBatch()!.Dispose();
                loader.NextBatch()!.Dispose();
                stopped.Add(loader.GetState());
            }

            files.AddRange(Save(dir, "b", [.. ends]));
            files.AddRange(Save(dir, "c", [.. Enumerable.Range(0, 3).Select(rank => Take(mixture, options with { WorldSize = 3, Rank = rank, ResumeFrom = stopped[rank] }, int.MaxValue))]));

            CliResult r = Cli.Run(["order", .. mix, "--ledger", .. files]);

            Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
            Assert.Contains($"epoch 0: positions 0 to {epochSamples}: every sample exactly once", r.Output);
            Assert.Contains($"epoch 1: positions 0 to {epochSamples}: every sample exactly once", r.Output);
            Assert.EndsWith("OK\n", r.Output.ReplaceLineEndings("\n"));

            CliResult gap = Cli.Run(["order", .. mix, "--ledger", .. files.Skip(2)]);
            Assert.AreEqual(ExitCodes.BadData, gap.ExitCode, gap.ToString());
            Assert.Contains("epoch 0: positions 0 to 64 (64 samples) are in no ledger given", gap.Output);
        }
    }

    [TestMethod]
    [DataRow(1, "8 missing", DisplayName = "skipped batch")]
    [DataRow(-1, "8 repeated", DisplayName = "repeated batch")]
    public void OrderLedger_MixtureResumedOffByABatch_ExitsThreeNamingTheEpochAndCount(int batches, string expected)
    {
        using var dir = new TempDirectory();
        (string a, string b, string[] mix, DatasetMixture mixture, IDisposable datasets) = LedgerMixture(dir);
        using (datasets)
        {
            ShardLoaderOptions options = LedgerOptions() with { Epochs = 1 };
            LoaderState end = TakeOffByABatch(options, batches, o => Take(mixture, o, 3), o => Take(mixture, o, int.MaxValue));

            CliResult r = Cli.Run(["order", .. mix, "--ledger", .. Save(dir, "s", [end])]);

            Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
            Assert.Contains($"epoch 0: positions 0 to {mixture.GetSamplesPerEpoch(LedgerBatch).Sum()}: MISMATCH", r.Output);
            Assert.Contains(expected, r.Output);
            Assert.Contains("MISMATCH: 1 problem", r.Output);
        }
    }

    [TestMethod]
    [DataRow(0, null, DisplayName = "every sample once")]
    [DataRow(1, "16 missing", DisplayName = "skipped batch")]
    [DataRow(-1, "16 repeated", DisplayName = "repeated batch")]
    public void OrderLedger_SplitRun_ChecksTheSplitsDatasetIndices(int batches, string? expected)
    {
        using var dir = new TempDirectory();
        string a = Pack(dir, "a", 300, CodecKind.Lz4);
        using ShardDataset dataset = Open(a);
        DatasetSplit validation = DatasetSplit.Partition(dataset, SplitMethod.Hash, ["train", "validation"], [0.7, 0.3], 9)[1];
        ShardLoaderOptions options = LedgerOptions() with { Epochs = 1, WorldSize = 2 };
        var states = new List<LoaderState>();
        for (int rank = 0; rank < 2; rank++)
        {
            ShardLoaderOptions o = options with { Rank = rank };
            states.Add(TakeOffByABatch(o, batches, x => Take(validation, x, 2), x => Take(validation, x, int.MaxValue)));
        }

        CliResult r = Cli.Run(["order", a, "--split", "validation", .. s_splitOptions, "--ledger", .. Save(dir, "s", [.. states])]);

        if (expected is null)
        {
            Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
            Assert.Contains($"epoch 0: positions 0 to {validation.SampleCount}: every sample exactly once", r.Output);
            return;
        }

        // Both ranks resumed off by one step of 2 batches: 16 samples missing or repeated.
        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains(expected, r.Output);
    }

    [TestMethod]
    [DataRow("weight", "stream 2")]
    [DataRow("dataset", "stream 1")]
    [DataRow("streams", "a mixture of 3 streams")]
    [DataRow("mixture-state-as-dataset", "mixture or a split")]
    public void OrderLedger_OptionsOfAnotherRun_ExitsThreeSayingWhat(string problem, string expected)
    {
        using var dir = new TempDirectory();
        (string a, string b, string[] mix, DatasetMixture mixture, IDisposable datasets) = LedgerMixture(dir);
        using (datasets)
        {
            string[] files = Save(dir, "s", [Take(mixture, LedgerOptions() with { Epochs = 1 }, 2)]);
            string[] args = problem switch
            {
                "weight" => ["order", .. mix[..^1], $"{a}@validation=0.5", "--ledger", .. files],
                "dataset" => ["order", .. mix[..^3], $"{a}=0.25", .. mix[^2..], "--ledger", .. files],
                "streams" => ["order", .. mix[..^4], "--ledger", .. files],
                _ => ["order", b, "--ledger", .. files],
            };

            CliResult r = Cli.Run(args);

            Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
            StringAssert.Contains(r.Error, expected);
        }
    }

    // A mixture of a split of one dataset, a whole dataset and the other split, as --mix arguments and as the library's.
    private static (string A, string B, string[] Mix, DatasetMixture Mixture, IDisposable Datasets) LedgerMixture(TempDirectory dir)
    {
        string a = Pack(dir, "a", 300, CodecKind.Lz4);
        string b = Pack(dir, "b", 120, CodecKind.None);
        ShardDataset da = Open(a);
        ShardDataset db = Open(b);
        IReadOnlyList<DatasetSplit> splits = DatasetSplit.Partition(da, SplitMethod.Hash, ["train", "validation"], [0.7, 0.3], 9);
        DatasetMixture mixture = DatasetMixture.Create([MixtureStream.Weighted(splits[0], 0.5), MixtureStream.Weighted(db, 0.25), MixtureStream.Weighted(splits[1], 0.25)]);
        string[] mix =
        [
            "--order", "random", "--seed", "3", "--batch-size", LedgerBatch.ToString(CultureInfo.InvariantCulture), "--window-chunks", "3", .. s_splitOptions,
            "--mix", $"{a}@train=0.5", "--mix", $"{b}=0.25", "--mix", $"{a}@validation=0.25",
        ];
        return (a, b, mix, mixture, new Both(da, db));
    }

    private static ShardLoaderOptions LedgerOptions() =>
        new() { Order = SampleOrder.Random, Seed = 3, BatchSize = LedgerBatch, WindowChunks = 3, DecodeWorkers = 2, Ledger = true };

    // Reads some batches, then resumes one batch (of this rank's world) past or before where it stood, as if a
    // checkpoint mixed two points in time, and reads to the end.
    private static LoaderState TakeOffByABatch(ShardLoaderOptions options, int batches, Func<ShardLoaderOptions, LoaderState> first, Func<ShardLoaderOptions, LoaderState> rest)
    {
        LoaderState middle = first(options);
        if (batches == 0)
        {
            return rest(options with { ResumeFrom = middle });
        }

        long moved = middle.Position + (batches * LedgerBatch * options.WorldSize);
        return rest(options with { ResumeFrom = middle with { Position = moved, Ledger = middle.Ledger! with { To = moved } } });
    }

    private static LoaderState Take(DatasetMixture mixture, ShardLoaderOptions options, int batches) =>
        LoaderStates.Drain(ShardLoader.Create(mixture, options), batches);

    private static LoaderState Take(DatasetSplit split, ShardLoaderOptions options, int batches) =>
        LoaderStates.Drain(ShardLoader.Create(split, options), batches);

    private static string[] Save(TempDirectory dir, string prefix, LoaderState[] states) => LoaderStates.Save(dir, prefix, states);

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }
}
