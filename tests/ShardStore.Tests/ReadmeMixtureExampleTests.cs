using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>Runs the README's mixture and split examples ("Mixtures and splits"), so the README stays true.</summary>
[TestClass]
public sealed class ReadmeMixtureExampleTests
{
    [TestMethod]
    public void ReadmeMixtureExample_TakesEachStreamsShare()
    {
        using var dir = new TempDirectory();
        var readOptions = new ShardDatasetOptions { Codecs = NativeCodecs.Provider };
        using var web = ShardDataset.Open(Write(dir.Combine("data/web"), 500, CodecKind.Lz4), readOptions);
        using var books = ShardDataset.Open(Write(dir.Combine("data/books"), 300, CodecKind.None), readOptions);
        using var code = ShardDataset.Open(Write(dir.Combine("data/code"), 200, CodecKind.Zstd), readOptions);
        var mixture = DatasetMixture.Create(
        [
            MixtureStream.Weighted(web, 0.6),
            MixtureStream.Weighted(books, 0.3),
            MixtureStream.Weighted(code, 0.1),
        ], epochSamples: 1000);
        var options = new ShardLoaderOptions { BatchSize = 100, Order = SampleOrder.Window, Seed = 1234, DecodeWorkers = 2 };
        long[] perStream = new long[3];
        using (var loader = ShardLoader.Create(mixture, options))
        {
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    ReadOnlySpan<SampleSource> from = batch.Sources;
                    ReadOnlySpan<long> labels = batch.GetFixed<long>("label");
                    for (int i = 0; i < batch.Count; i++)
                    {
                        perStream[from[i].Stream]++;
                        Assert.AreEqual(from[i].Index, labels[i], "the label is the sample's index in its dataset");
                    }
                }
            }
        }

        CollectionAssert.AreEqual(new long[] { 600, 300, 100 }, perStream);
    }

    [TestMethod]
    public void ReadmeSplitExample_TrainAndValidationAreDisjoint()
    {
        using var dir = new TempDirectory();
        using var dataset = ShardDataset.Open(Write(dir.Combine("data/train"), 1000, CodecKind.Lz4), new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        var options = new ShardLoaderOptions { BatchSize = 64, Order = SampleOrder.Window, Seed = 1234, DecodeWorkers = 2 };
        IReadOnlyList<DatasetSplit> splits = DatasetSplit.Partition(dataset, SplitMethod.Hash,
            ["train", "validation", "test"], [0.8, 0.1, 0.1], key: 42);
        var trained = new HashSet<long>();
        using (var train = ShardLoader.Create(splits[0], options))
        {
            while (train.NextBatch() is { } batch)
            {
                using (batch)
                {
                    trained.UnionWith(batch.SampleIndices.ToArray());
                }
            }
        }

        var validated = new List<long>();
        using (var validation = ShardLoader.CreateValidation(splits[1], new ShardLoaderOptions { BatchSize = 512, DecodeWorkers = 2 }))
        {
            while (validation.NextBatch() is { } batch)
            {
                using (batch)
                {
                    validated.AddRange(batch.SampleIndices.ToArray());
                }
            }
        }

        Assert.HasCount((int)splits[0].SampleCount, trained);
        Assert.HasCount((int)splits[1].SampleCount, validated);
        CollectionAssert.AreEqual(validated.Order().ToArray(), validated.ToArray(), "validation walks its split in order");
        Assert.IsFalse(validated.Any(trained.Contains), "no validation sample is trained on");
    }

    private static string Write(string path, int samples, CodecKind codec)
    {
        var schema = new Schema(FieldSpec.Fixed("x", DType.F32, 16), FieldSpec.Fixed("label", DType.I64));
        using var writer = DatasetWriter.Create(path, schema, new DatasetWriterOptions { Codec = codec, Codecs = NativeCodecs.Provider, ChunkTargetBytes = 2048 });
        float[] x = new float[16];
        for (int i = 0; i < samples; i++)
        {
            x[0] = i;
            writer.Write<float>(0, x);
            writer.WriteScalar(1, (long)i);
            writer.EndSample();
        }

        writer.Complete();
        return path;
    }
}
