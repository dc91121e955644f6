using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>Runs the README's library example, so the README stays true.</summary>
[TestClass]
public sealed class ReadmeExampleTests
{
    [TestMethod]
    public void ReadmeExample_WritesAndReadsBack()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("data/train");
        WriteExample(path, new DatasetWriterOptions { Codec = CodecKind.Lz4, Codecs = NativeCodecs.Provider });

        using var dataset = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        using (SampleLease sample = dataset.ReadSample(42))
        {
            ReadOnlySpan<float> pixels = sample.Get<float>(0);
            Assert.AreEqual(784, pixels.Length);
            Assert.AreEqual(42f, pixels[0]);
            Assert.AreEqual(2L, sample.Get<long>(1)[0]);
            CollectionAssert.AreEqual(new[] { 42, 43, 44 }, sample.Get<int>(2).ToArray());
        }

        using ChunkLease chunk = dataset.ReadChunk(shard: 0, chunk: 0);
        var images = chunk.GetFixed2D<float>(0);
        Assert.AreEqual(chunk.SampleCount, images.Height);
        Assert.AreEqual(784, images.Width);
        Assert.AreEqual(chunk.SampleCount, chunk.GetFixed<long>(1).Length);
        CollectionAssert.AreEqual(new[] { 2, 3, 4 }, chunk.GetVariable<int>(2)[2].ToArray());
    }

    [TestMethod]
    public void ReadmeLoaderExample_StopsSavesStateAndResumes()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("data/train");
        WriteExample(path, new DatasetWriterOptions { Codec = CodecKind.Lz4, Codecs = NativeCodecs.Provider, ChunkTargetBytes = 64 << 10 });

        using var dataset = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider, Checksums = ChecksumPolicy.FirstTouch });
        var options = new ShardLoaderOptions { BatchSize = 256, Order = SampleOrder.Window, Seed = 1234, Epochs = 10, Rank = 0, WorldSize = 1, MemoryBudgetBytes = 512L << 20 };
        var seen = new List<long>();
        string stateFile = dir.Combine("loader.state");
        using (var loader = ShardLoader.Create(dataset, options))
        {
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    ReadOnlySpan<float> images = batch.GetFixed<float>("image");
                    ReadOnlySpan<long> labels = batch.GetFixed<long>("label");
                    VariableFieldView<int> tokens = batch.GetVariable<int>(2);
                    for (int i = 0; i < batch.Count; i++)
                    {
                        long s = batch.SampleIndices[i];
                        Assert.AreEqual((float)s, images[i * 784]);
                        Assert.AreEqual(s % 10, labels[i]);
                        CollectionAssert.AreEqual(new[] { (int)s, (int)s + 1, (int)s + 2 }, tokens[i].ToArray());
                    }

                    seen.AddRange(batch.SampleIndices.ToArray());
                }

                if (seen.Count >= 2500)
                {
                    loader.GetState().Save(stateFile);
                    break;
                }
            }
        }

        var state = LoaderState.Load(stateFile);
        Assert.AreEqual(dataset.Identity, state.DatasetIdentity);
        using var resumed = ShardLoader.Create(dataset, options with { ResumeFrom = state });
        while (resumed.NextBatch() is { } batch)
        {
            using (batch)
            {
                seen.AddRange(batch.SampleIndices.ToArray());
            }
        }

        Assert.HasCount(10_000, seen);
        for (int epoch = 0; epoch < 10; epoch++)
        {
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 1000).Select(i => (long)i).ToArray(), seen.GetRange(epoch * 1000, 1000).ToArray(), $"epoch {epoch}");
        }
    }

    // The README's writer example: 1000 samples of a 28x28 image, a label and three tokens.
    private static void WriteExample(string path, DatasetWriterOptions options)
    {
        var schema = new Schema(
            FieldSpec.Fixed("image", DType.F32, 28, 28),
            FieldSpec.Fixed("label", DType.I64),
            FieldSpec.Variable("tokens", DType.I32));
        using var writer = DatasetWriter.Create(path, schema, options);
        float[] image = new float[28 * 28];
        for (int i = 0; i < 1000; i++)
        {
            image[0] = i;
            writer.Write<float>("image", image);
            writer.WriteScalar(1, (long)(i % 10));
            writer.Write<int>("tokens", [i, i + 1, i + 2]);
            writer.EndSample();
        }

        writer.Complete();
    }
}
