using System.Globalization;
using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardPack.Tests;

/// <summary><c>shardpack order --mix</c> and <c>--split</c> (OrderMixture).</summary>
[TestClass]
public sealed partial class OrderMixtureTests
{
    [TestMethod]
    [DataRow("window", 0, 1, false)]
    [DataRow("random", 1, 3, false)]
    [DataRow("sequential", 2, 2, true)]
    public void Order_Mix_PrintsWhatTheLoaderDelivers(string order, int epoch, int worldSize, bool mixBatches)
    {
        using var dir = new TempDirectory();
        string[] paths = [Pack(dir, "a", 300, CodecKind.Lz4), Pack(dir, "b", 120, CodecKind.None), Pack(dir, "c", 77, CodecKind.Lz4)];
        double[] weights = [0.5, 0.25, 0.25];
        for (int rank = 0; rank < worldSize; rank++)
        {
            var args = new List<string>
            {
                "order", "--order", order, "--seed", "5", "--epoch", epoch.ToString(CultureInfo.InvariantCulture), "--batch-size", "8", "--window-chunks", "2",
                "--rank", rank.ToString(CultureInfo.InvariantCulture), "--world-size", worldSize.ToString(CultureInfo.InvariantCulture),
            };
            for (int s = 0; s < paths.Length; s++)
            {
                args.AddRange(["--mix", $"{paths[s]}={weights[s].ToString(CultureInfo.InvariantCulture)}"]);
            }

            if (mixBatches)
            {
                args.Add("--mix-batches");
            }

            CliResult r = Cli.Run([.. args]);
            Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
            string[] printed = r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            SampleOrder parsed = Enum.Parse<SampleOrder>(order, ignoreCase: true);
            CollectionAssert.AreEqual(Delivered(paths, weights, parsed, epoch, rank, worldSize, mixBatches), printed, $"rank {rank}");
        }
    }

    [TestMethod]
    [DataRow("range")]
    [DataRow("hash")]
    public void Order_Split_PrintsTheSplitsDatasetIndices(string by)
    {
        using var dir = new TempDirectory();
        string path = Pack(dir, "ds", 400, CodecKind.Lz4);

        CliResult r = Cli.Run("order", path, "--order", "sequential", "--batch-size", "16", "--split", "validation", "--splits", "train=0.7,validation=0.3", "--split-by", by, "--split-key", "9");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        long[] printed = [.. r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l, CultureInfo.InvariantCulture))];
        using ShardDataset dataset = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        DatasetSplit split = DatasetSplit.Partition(dataset, by == "hash" ? SplitMethod.Hash : SplitMethod.Range, ["train", "validation"], [0.7, 0.3], 9)[1];
        CollectionAssert.AreEqual(Enumerable.Range(0, (int)split.SampleCount).Select(j => split.GetDatasetIndex(j)).ToArray(), printed, "sequential order of the split");
    }

    [TestMethod]
    public void Order_MixSchemasDiffer_ExitsThreeNamingTheStream()
    {
        using var dir = new TempDirectory();
        string a = Pack(dir, "a", 50, CodecKind.None);
        string b = dir.Combine("b");
        using (DatasetWriter writer = DatasetWriter.Create(b, new Schema(FieldSpec.Fixed("w", DType.F32))))
        {
            writer.WriteScalar(0, 1f);
            writer.EndSample();
            writer.Complete();
        }

        CliResult r = Cli.Run("order", "--order", "window", "--mix", $"{a}=1", "--mix", $"{b}=1");

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "Stream 1");
        StringAssert.Contains(r.Error, "'v'");
    }

    [TestMethod]
    [DataRow("both")]
    [DataRow("neither")]
    [DataRow("weight")]
    [DataRow("split")]
    public void Order_BadMixOrSplit_ExitsTwo(string problem)
    {
        using var dir = new TempDirectory();
        string a = Pack(dir, "a", 50, CodecKind.None);
        string[] args = problem switch
        {
            "both" => ["order", a, "--order", "window", "--mix", $"{a}=1"],
            "neither" => ["order", "--order", "window"],
            "weight" => ["order", "--order", "window", "--mix", $"{a}=-1"],
            _ => ["order", a, "--order", "window", "--split", "dev"],
        };

        CliResult r = Cli.Run(args);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.AreEqual(string.Empty, r.Output);
    }

    private static string Pack(TempDirectory dir, string name, int samples, CodecKind codec)
    {
        string path = dir.Combine(name);
        using (DatasetWriter writer = DatasetWriter.Create(path, new Schema(FieldSpec.Fixed("v", DType.I64)), new DatasetWriterOptions { ChunkTargetBytes = 256, Codec = codec, Codecs = NativeCodecs.Provider }))
        {
            for (long i = 0; i < samples; i++)
            {
                writer.WriteScalar(0, i);
                writer.EndSample();
            }

            writer.Complete();
        }

        return path;
    }

    private static string[] Delivered(string[] paths, double[] weights, SampleOrder order, int epoch, int rank, int worldSize, bool mixBatches)
    {
        ShardDataset[] datasets = [.. paths.Select(p => ShardDataset.Open(p, new ShardDatasetOptions { Codecs = NativeCodecs.Provider }))];
        try
        {
            DatasetMixture mixture = DatasetMixture.Create(
                datasets.Select((d, s) => MixtureStream.Weighted(d, weights[s])), granularity: mixBatches ? MixtureGranularity.Batch : MixtureGranularity.Sample);
            var options = new ShardLoaderOptions { Order = order, Seed = 5, Rank = rank, WorldSize = worldSize, BatchSize = 8, WindowChunks = 2, Epochs = epoch + 1, DecodeWorkers = 2 };
            using ShardLoader loader = ShardLoader.Create(mixture, options);
            var printed = new List<string>();
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    if (batch.Epoch == epoch)
                    {
                        CollectionAssert.AreEqual(batch.Sources.ToArray().Select(s => s.Index).ToArray(), batch.GetFixed<long>(0).ToArray(), "values are the samples' own indices");
                        printed.AddRange(batch.Sources.ToArray().Select(s => $"{s.Stream}:{s.Index}"));
                    }
                }
            }

            return [.. printed];
        }
        finally
        {
            foreach (ShardDataset d in datasets)
            {
                d.Dispose();
            }
        }
    }
}
