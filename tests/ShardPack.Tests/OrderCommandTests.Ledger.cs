using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

public sealed partial class OrderCommandTests
{
    private const int LedgerBatch = 16;

    [TestMethod]
    public void OrderLedger_RunWithRestartsOnSameAndOtherWorldSize_PrintsOk()
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        using ShardDataset dataset = ShardDataset.Open(ds, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        ShardLoaderOptions options = LedgerOptions() with { Epochs = 2 };
        var files = new List<string>();

        // Two ranks read 5 batches each of epoch 0, and the job stops.
        LoaderState[] first = [.. Enumerable.Range(0, 2).Select(rank => Take(dataset, options with { WorldSize = 2, Rank = rank }, batches: 5))];
        files.AddRange(Save(dir, "a", first));

        // Three ranks go on from there (another world size: new ledgers from position 160), to the end of epoch 0 and
        // 4 batches into epoch 1, saving their states at the end of epoch 0 and where they stop.
        var endOfEpoch0 = new List<LoaderState>();
        var stopped = new List<LoaderState>();
        for (int rank = 0; rank < 3; rank++)
        {
            using ShardLoader loader = ShardLoader.Create(dataset, options with { WorldSize = 3, Rank = rank, ResumeFrom = first[0] });
            while (loader.GetState().Epoch == 0)
            {
                loader.NextBatch()!.Dispose();
            }

            endOfEpoch0.Add(loader.GetState());
            for (int k = 0; k < 4; k++)
            {
                loader.NextBatch()!.Dispose();
            }

            stopped.Add(loader.GetState());
        }

        files.AddRange(Save(dir, "b", [.. endOfEpoch0]));

        // The same three ranks restart from their own states (the same world size: the ledgers go on) and finish.
        LoaderState[] last = [.. Enumerable.Range(0, 3).Select(rank => Take(dataset, options with { WorldSize = 3, Rank = rank, ResumeFrom = stopped[rank] }, batches: int.MaxValue))];
        files.AddRange(Save(dir, "c", last));

        CliResult r = Cli.Run(["order", ds, "--ledger", .. files]);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        Assert.Contains("epoch 0: positions 0 to 500: every sample exactly once", r.Output);
        Assert.Contains("epoch 1: positions 0 to 500: every sample exactly once", r.Output);
        Assert.EndsWith("OK\n", r.Output.ReplaceLineEndings("\n"));

        // Without the states from before the change of world size, the first 160 positions are unaccounted for.
        CliResult gap = Cli.Run(["order", ds, "--ledger", .. files.Skip(2)]);
        Assert.AreEqual(ExitCodes.BadData, gap.ExitCode, gap.ToString());
        Assert.Contains("epoch 0: positions 0 to 160 (160 samples) are in no ledger given", gap.Output);
    }

    [TestMethod]
    [DataRow(1, "16 missing", DisplayName = "skipped batch")]
    [DataRow(-1, "16 repeated", DisplayName = "repeated batch")]
    public void OrderLedger_ResumeFromAPositionOffByABatch_ExitsThreeNamingTheEpochAndCount(int batches, string expected)
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        using ShardDataset dataset = ShardDataset.Open(ds, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        ShardLoaderOptions options = LedgerOptions() with { Epochs = 1 };
        LoaderState middle = Take(dataset, options, batches: 3);

        // A job that resumes one batch past (or before) where it stood, as if a checkpoint mixed two points in time.
        long moved = middle.Position + (batches * LedgerBatch);
        LoaderState wrong = middle with { Position = moved, Ledger = middle.Ledger! with { To = moved } };
        LoaderState end = Take(dataset, options with { ResumeFrom = wrong }, batches: int.MaxValue);

        CliResult r = Cli.Run(["order", ds, "--ledger", .. Save(dir, "s", [end])]);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("epoch 0: positions 0 to 500: MISMATCH", r.Output);
        Assert.Contains(expected, r.Output);
        Assert.Contains("MISMATCH: 1 problem", r.Output);
    }

    [TestMethod]
    public void OrderLedger_OneRankMissing_ExitsThreeNamingIt()
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        using ShardDataset dataset = ShardDataset.Open(ds, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        LoaderState rank0 = Take(dataset, LedgerOptions() with { WorldSize = 2, Epochs = 1 }, batches: int.MaxValue);

        CliResult r = Cli.Run(["order", ds, "--ledger", .. Save(dir, "s", [rank0])]);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("no ledger of rank 1", r.Output);
    }

    [TestMethod]
    public void OrderLedger_StateWithoutLedger_ExitsTwo()
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        using ShardDataset dataset = ShardDataset.Open(ds, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        LoaderState plain = Take(dataset, LedgerOptions() with { Ledger = false, Epochs = 1 }, batches: 1);

        CliResult r = Cli.Run(["order", ds, "--ledger", .. Save(dir, "s", [plain])]);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("has no ledger", r.Error);
    }

    [TestMethod]
    public void OrderLedger_ResumedAcrossAnAppend_ChecksEachEpochOnItsGeneration()
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        ShardLoaderOptions options = LedgerOptions() with { Epochs = 2, WorldSize = 2 };
        LoaderState[] before;
        using (ShardDataset first = ShardDataset.Open(ds, new ShardDatasetOptions { Codecs = NativeCodecs.Provider }))
        {
            before = [.. Enumerable.Range(0, 2).Select(rank => Take(first, options with { Rank = rank }, batches: 3))];
        }

        using (DatasetWriter writer = DatasetWriter.Append(ds, new Schema(FieldSpec.Fixed("v", DType.I64)), new DatasetWriterOptions { ChunkTargetBytes = 256 }))
        {
            for (long i = Samples; i < Samples + 100; i++)
            {
                writer.WriteScalar(0, i);
                writer.EndSample();
            }

            writer.Complete();
        }

        using ShardDataset current = ShardDataset.Open(ds, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        var files = new List<string>();
        var ends = new List<LoaderState>();
        for (int rank = 0; rank < 2; rank++)
        {
            using ShardLoader loader = ShardLoader.Create(current, options with { Rank = rank, ResumeFrom = before[rank] });
            while (loader.GetState().Epoch == 0)
            {
                loader.NextBatch()!.Dispose();
            }

            ends.Add(loader.GetState());
            while (loader.NextBatch() is { } batch)
            {
                batch.Dispose();
            }

            ends.Add(loader.GetState());
        }

        Assert.AreEqual(1, ends[0].PreviousLedger!.Generation);
        Assert.AreEqual(2, ends[1].PreviousLedger!.Generation);
        files.AddRange(Save(dir, "s", [.. ends]));

        CliResult r = Cli.Run(["order", ds, "--ledger", .. files]);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        Assert.Contains($"epoch 0: positions 0 to {Samples}: every sample exactly once", r.Output);
        Assert.Contains($"epoch 1: positions 0 to {Samples + 100}: every sample exactly once", r.Output);
    }

    private static ShardLoaderOptions LedgerOptions() =>
        new() { Order = SampleOrder.Random, Seed = 11, BatchSize = LedgerBatch, WindowChunks = 3, DecodeWorkers = 2, Ledger = true };

    // Reads up to the given number of batches and returns where the loader then stands.
    private static LoaderState Take(ShardDataset dataset, ShardLoaderOptions options, int batches) =>
        LoaderStates.Drain(ShardLoader.Create(dataset, options), batches);

    private static string[] Save(TempDirectory dir, string prefix, LoaderState[] states) => LoaderStates.Save(dir, prefix, states);
}
