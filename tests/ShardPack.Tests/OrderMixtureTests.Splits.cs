using System.Globalization;
using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardPack.Tests;

public sealed partial class OrderMixtureTests
{
    private static readonly string[] s_splitOptions = ["--splits", "train=0.7,validation=0.3", "--split-by", "hash", "--split-key", "9"];

    [TestMethod]
    [DataRow("window", 0, 1)]
    [DataRow("random", 1, 2)]
    public void Order_MixWithSplitStreams_PrintsWhatTheLoaderDelivers(string order, int epoch, int worldSize)
    {
        using var dir = new TempDirectory();
        string a = Pack(dir, "a", 300, CodecKind.Lz4);
        string b = Pack(dir, "b", 120, CodecKind.None);
        for (int rank = 0; rank < worldSize; rank++)
        {
            CliResult r = Cli.Run(
            [
                "order", "--order", order, "--seed", "5", "--epoch", epoch.ToString(CultureInfo.InvariantCulture), "--batch-size", "8", "--window-chunks", "2",
                "--rank", rank.ToString(CultureInfo.InvariantCulture), "--world-size", worldSize.ToString(CultureInfo.InvariantCulture),
                "--mix", $"{a}@train=0.5", "--mix", $"{b}=0.25", "--mix", $"{a}@validation=0.25", .. s_splitOptions,
            ]);

            Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
            string[] printed = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            using ShardDataset da = Open(a);
            using ShardDataset db = Open(b);
            IReadOnlyList<DatasetSplit> splits = DatasetSplit.Partition(da, SplitMethod.Hash, ["train", "validation"], [0.7, 0.3], 9);
            DatasetMixture mixture = DatasetMixture.Create([MixtureStream.Weighted(splits[0], 0.5), MixtureStream.Weighted(db, 0.25), MixtureStream.Weighted(splits[1], 0.25)]);
            var options = new ShardLoaderOptions
            {
                Order = Enum.Parse<SampleOrder>(order, ignoreCase: true), Seed = 5, Rank = rank, WorldSize = worldSize, BatchSize = 8, WindowChunks = 2, Epochs = epoch + 1, DecodeWorkers = 2,
            };
            var delivered = new List<string>();
            using (ShardLoader loader = ShardLoader.Create(mixture, options))
            {
                while (loader.NextBatch() is { } batch)
                {
                    using (batch)
                    {
                        if (batch.Epoch != epoch)
                        {
                            continue;
                        }

                        SampleSource[] sources = batch.Sources.ToArray();
                        long[] datasetIndices = [.. sources.Select(s => mixture.Streams[s.Stream].Split?.GetDatasetIndex(s.Index) ?? s.Index)];
                        CollectionAssert.AreEqual(datasetIndices, batch.GetFixed<long>(0).ToArray(), "values are the samples' dataset indices");
                        delivered.AddRange(sources.Select(s => $"{s.Stream}:{s.Index}"));
                    }
                }
            }

            CollectionAssert.AreEqual(delivered, printed, $"rank {rank}: stream:index in the stream's split");
        }
    }

    [TestMethod]
    public void Order_MixDirectoryWithAt_TrailingAtReadsTheWholeDataset()
    {
        using var dir = new TempDirectory();
        string odd = Pack(dir, "x@y", 20, CodecKind.None);

        CliResult whole = Cli.Run("order", "--order", "sequential", "--mix", $"{odd}@=1");
        Assert.AreEqual(ExitCodes.Success, whole.ExitCode, whole.ToString());
        CollectionAssert.AreEqual(Enumerable.Range(0, 20).Select(i => $"0:{i}").ToArray(), whole.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        CliResult ambiguous = Cli.Run("order", "--order", "sequential", "--mix", $"{odd}=1");
        Assert.AreEqual(ExitCodes.InvalidArguments, ambiguous.ExitCode, ambiguous.ToString());
        StringAssert.Contains(ambiguous.Error, "'y' is not one of the splits");
        StringAssert.Contains(ambiguous.Error, $"{odd}@=1");
    }

    [TestMethod]
    public void Order_MixDirectoryWithEquals_TheWeightFollowsTheLastEquals()
    {
        using var dir = new TempDirectory();
        string odd = Pack(dir, "p=q", 10, CodecKind.None);

        CliResult whole = Cli.Run("order", "--order", "sequential", "--mix", $"{odd}=1");
        CliResult split = Cli.Run("order", "--order", "sequential", "--mix", $"{odd}@b=1", "--splits", "a=0.5,b=0.5");

        Assert.AreEqual(ExitCodes.Success, whole.ExitCode, whole.ToString());
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(i => $"0:{i}").ToArray(), whole.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.AreEqual(ExitCodes.Success, split.ExitCode, split.ToString());
        CollectionAssert.AreEqual(Enumerable.Range(0, 5).Select(i => $"0:{i}").ToArray(), split.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), "the second half by range, numbered in the split");
    }

    [TestMethod]
    [DataRow("@train=1")]
    [DataRow("DIR@dev=1")]
    [DataRow("DIR@train")]
    public void Order_BadMixSplit_ExitsTwo(string stream)
    {
        using var dir = new TempDirectory();
        string a = Pack(dir, "a", 50, CodecKind.None);

        CliResult r = Cli.Run("order", "--order", "window", "--mix", stream.Replace("DIR", a, StringComparison.Ordinal));

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.AreEqual(string.Empty, r.Output);
    }

    [TestMethod]
    public void Order_SplitOptionWithMix_ExitsTwoPointingToTheStreamSyntax()
    {
        using var dir = new TempDirectory();
        string a = Pack(dir, "a", 50, CodecKind.None);

        CliResult r = Cli.Run("order", "--order", "window", "--mix", $"{a}=1", "--split", "train");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "DIR@SPLIT=WEIGHT");
    }

    private static ShardDataset Open(string path) => ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
}
