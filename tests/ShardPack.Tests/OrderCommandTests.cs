using System.Globalization;
using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

[TestClass]
public sealed partial class OrderCommandTests
{
    private const int Samples = 500;

    [TestMethod]
    [DataRow("sequential", 0, 1)]
    [DataRow("window", 1, 3)]
    [DataRow("random", 2, 3)]
    public void Order_EveryRank_PrintsWhatTheLoaderDelivers(string order, int epoch, int worldSize)
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        SampleOrder parsed = Enum.Parse<SampleOrder>(order, ignoreCase: true);
        var union = new List<long>();
        for (int rank = 0; rank < worldSize; rank++)
        {
            CliResult r = Cli.Run(
                "order", ds, "--order", order, "--seed", "11", "--epoch", epoch.ToString(CultureInfo.InvariantCulture),
                "--rank", rank.ToString(CultureInfo.InvariantCulture), "--world-size", worldSize.ToString(CultureInfo.InvariantCulture),
                "--batch-size", "16", "--window-chunks", "3");
            Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
            long[] printed = [.. r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l, CultureInfo.InvariantCulture))];

            CollectionAssert.AreEqual(Delivered(ds, parsed, epoch, rank, worldSize), printed, $"rank {rank}");
            union.AddRange(printed);
        }

        CollectionAssert.AreEquivalent(Enumerable.Range(0, Samples).Select(i => (long)i).ToArray(), union.ToArray());
    }

    [TestMethod]
    public void Order_Batches_PrintsOneBatchPerLine()
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);

        CliResult r = Cli.Run("order", ds, "--order", "sequential", "--batch-size", "100", "--batches");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        string[] lines = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(5, lines);
        Assert.AreEqual(string.Join(' ', Enumerable.Range(100, 100)), lines[1].TrimEnd('\r'));
    }

    [TestMethod]
    public void Order_NoOrderOption_PrintsTheLoadersDefaultWindowOrder()
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);

        CliResult omitted = Cli.Run("order", ds, "--batch-size", "100");
        CliResult window = Cli.Run("order", ds, "--order", "window", "--batch-size", "100");

        Assert.AreEqual(ExitCodes.Success, omitted.ExitCode, omitted.ToString());
        Assert.AreEqual(window.Output, omitted.Output);
    }

    [TestMethod]
    [DataRow("--order", "shuffled")]
    [DataRow("--rank", "3")]
    [DataRow("--batch-size", "0")]
    [DataRow("--window-piece-samples", "lots")]
    [DataRow("--window-piece-samples", "-1")]
    public void Order_BadArgument_ExitsTwo(string option, string value)
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        string[] args = option == "--order" ? ["order", ds, option, value] : ["order", ds, "--order", "random", "--world-size", "3", option, value];

        CliResult r = Cli.Run(args);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.AreEqual(string.Empty, r.Output);
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow(5)]
    public void Order_WindowPieceSamples_PrintsWhatTheLoaderDelivers(int? pieces)
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        string value = pieces?.ToString(CultureInfo.InvariantCulture) ?? "whole";

        CliResult r = Cli.Run("order", ds, "--seed", "11", "--batch-size", "16", "--window-chunks", "3", "--window-piece-samples", value);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        long[] printed = [.. r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l, CultureInfo.InvariantCulture))];
        CollectionAssert.AreEqual(Delivered(ds, SampleOrder.Window, 0, 0, 1, pieces), printed);
        if (pieces is not null)
        {
            CollectionAssert.AreNotEqual(Delivered(ds, SampleOrder.Window, 0, 0, 1, pieces: null), printed, "pieces deal chunks over several windows");
        }
    }

    [TestMethod]
    public void Order_NoDataset_ExitsTwo()
    {
        using var dir = new TempDirectory();

        CliResult r = Cli.Run("order", dir.Combine("missing"), "--order", "random");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
    }

    [TestMethod]
    public void Order_StatsWithLabelField_PrintsPerEpochFiguresAndWindowMixesClassSortedData()
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);

        CliResult sequential = Cli.Run("order", ds, "--order", "sequential", "--batch-size", "50", "--stats", "--label-field", "v");
        CliResult window = Cli.Run("order", ds, "--order", "window", "--batch-size", "50", "--window-chunks", "2", "--window-piece-samples", "2", "--stats", "--label-field", "v", "--epochs", "2");

        Assert.AreEqual(ExitCodes.Success, sequential.ExitCode, sequential.ToString());
        Assert.AreEqual(ExitCodes.Success, window.ExitCode, window.ToString());
        string[] lines = window.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(3, lines, "a header and one line per epoch");
        Assert.StartsWith("epoch\tbatches\tchunks/batch mean\tchunks/batch min\tv values/batch mean", lines[0]);
        string[] first = lines[1].TrimEnd('\r').Split('\t');
        Assert.AreEqual("0", first[0]);
        Assert.AreEqual("10", first[1], "batches");
        Assert.AreEqual("50.00", first[4], "every sample has its own label value");
        string[] sequentialFigures = sequential.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd('\r').Split('\t');
        double windowChunks = double.Parse(first[2], CultureInfo.InvariantCulture);
        double sequentialChunks = double.Parse(sequentialFigures[2], CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(2 * sequentialChunks, windowChunks, "window batches draw from more chunks than sequential ones");
    }

    [TestMethod]
    [DataRow("--stats", "--label-field", "missing")]
    [DataRow("--label-field", "v")]
    public void Order_BadStatsArgument_ExitsTwo(string first, string second, string third = "")
    {
        using var dir = new TempDirectory();
        string ds = Pack(dir);
        string[] args = ["order", ds, "--order", "window", first, second, .. third.Length > 0 ? new[] { third } : []];

        CliResult r = Cli.Run(args);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
    }

    private static string Pack(TempDirectory dir)
    {
        string path = dir.Combine("ds");
        using (DatasetWriter writer = DatasetWriter.Create(path, new Schema(FieldSpec.Fixed("v", DType.I64)), new DatasetWriterOptions { ChunkTargetBytes = 256, Codec = ShardStore.Compression.CodecKind.Lz4, Codecs = NativeCodecs.Provider }))
        {
            for (long i = 0; i < Samples; i++)
            {
                writer.WriteScalar(0, i);
                writer.EndSample();
            }

            writer.Complete();
        }

        return path;
    }

    // pieces: ShardLoaderOptions.WindowPieceSamples, its default (0) when not given.
    private static long[] Delivered(string path, SampleOrder order, int epoch, int rank, int worldSize, int? pieces = 0)
    {
        using ShardDataset dataset = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        var options = new ShardLoaderOptions { Order = order, Seed = 11, Rank = rank, WorldSize = worldSize, BatchSize = 16, WindowChunks = 3, Epochs = epoch + 1, DecodeWorkers = 2, WindowPieceSamples = pieces };
        using ShardLoader loader = ShardLoader.Create(dataset, options);
        var indices = new List<long>();
        while (loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                if (batch.Epoch == epoch)
                {
                    CollectionAssert.AreEqual(batch.SampleIndices.ToArray(), batch.GetFixed<long>(0).ToArray(), "values are the samples' own indices");
                    indices.AddRange(batch.SampleIndices.ToArray());
                }
            }
        }

        return [.. indices];
    }
}
