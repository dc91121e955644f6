using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;
using ShardStore.Transforms;

namespace ShardStore.Tests.Transforms;

/// <summary>Runs the README's transform example ("Transforms on the decode workers"), so the README stays true.</summary>
[TestClass]
public sealed class ReadmeTransformExampleTests
{
    [TestMethod]
    public void ReadmeTransformExample_FlipsImagesAndReportsWhich()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("data/train");
        var schema = new Schema(FieldSpec.Fixed("image", DType.F32, 28, 28), FieldSpec.Fixed("label", DType.I64), FieldSpec.Variable("tokens", DType.I32));
        using (DatasetWriter writer = DatasetWriter.Create(path, schema, new DatasetWriterOptions { Codec = CodecKind.Lz4, Codecs = NativeCodecs.Provider, ChunkTargetBytes = 64 << 10 }))
        {
            float[] image = new float[28 * 28];
            for (int i = 0; i < 300; i++)
            {
                image[0] = i;
                writer.Write<float>("image", image);
                writer.WriteScalar(1, (long)(i % 10));
                writer.Write<int>("tokens", [i]);
                writer.EndSample();
            }

            writer.Complete();
        }

        using var dataset = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        var options = new ShardLoaderOptions { BatchSize = 64, Seed = 1234, DecodeWorkers = 2, PrefetchDepth = 2, MemoryBudgetBytes = 64L << 20 };
        using var loader = ShardLoader.Create(dataset, options with { Transforms = [new RandomFlip()] });

        Assert.AreEqual("{image:f32[28,28], flipped:u8[], label:i64[], tokens:i32[*]}", loader.Schema.ToString());
        int flipped = 0;
        while (loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                ReadOnlySpan<float> images = batch.GetFixed<float>("image");
                ReadOnlySpan<byte> flips = batch.GetFixed<byte>("flipped");
                for (int i = 0; i < batch.Count; i++)
                {
                    long s = batch.SampleIndices[i];
                    Assert.AreEqual((float)s, images[(i * 784) + (flips[i] == 1 ? 27 : 0)], $"sample {s}");
                    Assert.AreEqual(s, batch.GetVariable<int>("tokens")[i][0], $"sample {s}: tokens passed through");
                    flipped += flips[i];
                }
            }
        }

        Assert.IsTrue(flipped is > 100 and < 200, $"{flipped} of 300 flipped");
    }

    private sealed class RandomFlip : ISampleTransform, ISampleTransformWorker
    {
        public TransformSignature Bind(Schema input) =>
            new(["image"], [FieldSpec.Fixed("image", DType.F32, 28, 28), FieldSpec.Fixed("flipped", DType.U8)]);

        public ISampleTransformWorker CreateWorker() => this;

        public void Apply(SampleInputs inputs, SampleOutputs outputs, ref TransformRandom random)
        {
            ReadOnlySpan<float> x = inputs.Get<float>(0);
            Span<float> y = outputs.Get<float>(0);
            bool flip = random.NextBoolean();
            for (int r = 0; r < 28; r++)
            {
                for (int c = 0; c < 28; c++)
                {
                    y[(r * 28) + c] = x[(r * 28) + (flip ? 27 - c : c)];
                }
            }

            outputs[1][0] = flip ? (byte)1 : (byte)0;
        }
    }
}
