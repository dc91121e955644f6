using ShardStore.Internals.Loading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;
using ShardStore.Tests.Transforms.Infrastructure;
using ShardStore.Transforms;

namespace ShardStore.Tests.Loading;

/// <summary>
/// The transform stage (<see cref="ShardLoaderOptions.Transforms"/>): the transformed schema, the values written by the
/// decode workers for gather and scatter, chains of transforms, the checks at Create, and the workers' lifetime.
/// </summary>
public sealed partial class ShardLoaderTests
{
    [TestMethod]
    public void Create_Transforms_SchemaIsTheTransformedOne()
    {
        using ShardLoader loader = ShardLoader.Create(Mixed, MixedNoiseOptions(SampleOrder.Window));

        // The outputs take the place of the first input (x); the other input (tokens) is gone; label passes through.
        var expected = new Schema(
            FieldSpec.Fixed("x", DType.F32, 4, 3),
            FieldSpec.Fixed("draws", DType.I32, NoiseTransform.Draws),
            FieldSpec.Fixed("tokens_sum", DType.I64),
            FieldSpec.Fixed("label", DType.I64));
        Assert.AreEqual(expected, loader.Schema);
        using Batch batch = loader.NextBatch()!;
        Assert.AreEqual(expected, batch.Schema);
        CollectionAssert.AreEqual(new[] { batch.Count, NoiseTransform.Draws }, batch.GetShape("draws"));
    }

    [TestMethod]
    public void Create_NoTransforms_SchemaIsTheDatasets()
    {
        using ShardLoader loader = ShardLoader.Create(Mixed, LoaderHarness.Options(SampleOrder.Window, CoverageBatch));

        Assert.AreSame(Mixed.Schema, loader.Schema);
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void NextBatch_GatherWithTransform_WritesEverySamplesOutputsFromItsKey(SampleOrder order)
    {
        ShardLoaderOptions options = MixedNoiseOptions(order) with { Epochs = 2 };

        List<TransformedBatch> batches = TransformHarness.Run(Mixed, options, b => TransformHarness.AssertMixedNoise(b, options.Seed));

        Assert.AreEqual(2L * MixedSamples, batches.Sum(b => b.Record.Count), "samples over two epochs");
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    public void NextBatch_ScatterWithTransform_WritesOutputsStraightFromTheChunk(SampleOrder order)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterNoiseOptions(order, scatter: true);
        using (ShardLoader loader = ShardLoader.Create(ds, options))
        {
            Assert.IsTrue(loader.Scatters, "the loader scatters");
        }

        List<TransformedBatch> batches = TransformHarness.Run(ds, options, b => AssertScatterNoise(b, options.Seed));

        Assert.AreEqual(ScatterSamples, batches.Sum(b => b.Record.Count));
    }

    [TestMethod]
    public void NextBatch_ChainOfTransforms_LaterOneReadsTheEarliersScratchOutputAndDrawsAtItsPosition()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Random, CoverageBatch) with
        {
            Transforms = [new NoiseTransform("x"), new DrawSumTransform()],
        };

        using ShardLoader loader = ShardLoader.Create(Mixed, options);
        CollectionAssert.AreEqual(new[] { "x", "draw_sum", "label", "tokens" }, loader.Schema.Fields.Select(f => f.Name).ToArray(), "draws is consumed and replaced");
        List<TransformedBatch> batches = TransformHarness.Drain(loader, batch =>
        {
            ReadOnlySpan<long> sums = batch.GetFixed<long>("draw_sum");
            ReadOnlySpan<long> labels = batch.GetFixed<long>("label");
            VariableFieldView<int> tokens = batch.GetVariable<int>("tokens");
            for (int i = 0; i < batch.Count; i++)
            {
                long s = batch.SampleIndices[i];
                Assert.AreEqual(s * 3, labels[i], $"sample {s}: label passed through");
                CollectionAssert.AreEqual(TestData.Tokens(s), tokens[i].ToArray(), $"sample {s}: variable tokens passed through");
                var first = new TransformRandom(options.Seed, batch.Epoch, s, 0);
                var second = new TransformRandom(options.Seed, batch.Epoch, s, 1);
                long expected = second.NextInt32(10) + NoiseTransform.Expected(TestData.Features(s), ref first).Draws.Sum();
                Assert.AreEqual(expected, sums[i], $"sample {s}");
            }
        });
        Assert.AreEqual(MixedSamples, batches.Sum(b => b.Record.Count));
    }

    [TestMethod]
    public void Dispose_LoaderWithTransforms_DisposesOneWorkerPerDecodeWorkerAndReleasesEverything()
    {
        var noise = new NoiseTransform("x", "tokens");
        ShardLoaderOptions options = MixedNoiseOptions(SampleOrder.Window) with { Transforms = [noise], DecodeWorkers = 3 };
        ShardLoader loader = ShardLoader.Create(Mixed, options);
        Assert.AreEqual(3, noise.Workers, "one worker per decode worker, made at Create");
        using (loader)
        {
            Assert.HasCount(2, LoaderHarness.Drain(loader, checkValues: false, limit: 2));
        }

        Assert.AreEqual(3, noise.Disposed, "workers disposed");
        LoaderHarness.AssertReleased(loader, Mixed);
        loader.Dispose();
        Assert.AreEqual(3, noise.Disposed, "a second dispose disposes nothing twice");
    }

    [TestMethod]
    public void Create_TransformReadsUnknownField_ThrowsNamingTransformAndField()
    {
        var transform = new SignatureTransform(new TransformSignature(["pixels"], [FieldSpec.Fixed("y", DType.U8, 3)]));

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Mixed, MixedNoiseOptions(SampleOrder.Window) with { Transforms = [transform] }));

        Assert.Contains(nameof(SignatureTransform), e.Message);
        Assert.Contains("'pixels'", e.Message);
    }

    [TestMethod]
    public void Create_TransformOutputNameTaken_ThrowsNamingTransformAndField()
    {
        var transform = new SignatureTransform(new TransformSignature(["x"], [FieldSpec.Fixed("label", DType.I64)]));

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Mixed, MixedNoiseOptions(SampleOrder.Window) with { Transforms = [transform] }));

        Assert.Contains(nameof(SignatureTransform), e.Message);
        Assert.Contains("'label'", e.Message);
    }

    [TestMethod]
    public void Create_TransformOutputNamedTwice_ThrowsNamingTransformAndField()
    {
        var transform = new SignatureTransform(new TransformSignature(["x"], [FieldSpec.Fixed("y", DType.I64), FieldSpec.Fixed("y", DType.F32)]));

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Mixed, MixedNoiseOptions(SampleOrder.Window) with { Transforms = [transform] }));

        Assert.Contains(nameof(SignatureTransform), e.Message);
        Assert.Contains("'y'", e.Message);
    }

    [TestMethod]
    public void Create_TransformOutputVariable_ThrowsNamingTransformAndField()
    {
        var transform = new SignatureTransform(new TransformSignature(["x"], [FieldSpec.Bytes("encoded")]));

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Mixed, MixedNoiseOptions(SampleOrder.Window) with { Transforms = [transform] }));

        Assert.Contains(nameof(SignatureTransform), e.Message);
        Assert.Contains("'encoded'", e.Message);
        Assert.Contains("fixed shape", e.Message);
    }

    [TestMethod]
    public void Create_TransformConsumesEveryField_ThrowsArgumentException()
    {
        var transform = new SignatureTransform(new TransformSignature(["x", "label", "tokens"], []));

        Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Mixed, MixedNoiseOptions(SampleOrder.Window) with { Transforms = [transform] }));
    }

    [TestMethod]
    public void Create_TransformsWithZeroCopy_ThrowsArgumentException()
    {
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Mixed, MixedNoiseOptions(SampleOrder.Sequential) with { ZeroCopy = true }));

        Assert.Contains("ZeroCopy", e.Message);
    }

    [TestMethod]
    public void Create_KeepInputs_InputsStayAndOutputsAreAppended()
    {
        var transform = new SignatureTransform(new TransformSignature(["label"], [FieldSpec.Fixed("y", DType.U8, 3)], keepInputs: true));

        TransformPlan plan = TransformPlan.Create(Mixed.Schema, new ShardLoaderOptions { Transforms = [transform] })!;

        CollectionAssert.AreEqual(new[] { "x", "label", "tokens", "y" }, plan.Output.Fields.Select(f => f.Name).ToArray());
    }

    [TestMethod]
    public void Create_CreateWorkerThrows_ThrowsFromCreate()
    {
        // SignatureTransform's CreateWorker throws; the loader makes every worker at Create, so that is where it fails.
        var transform = new SignatureTransform(new TransformSignature(["label"], [FieldSpec.Fixed("y", DType.U8, 3)], keepInputs: true));

        Assert.ThrowsExactly<InvalidOperationException>(() => ShardLoader.Create(Mixed, MixedNoiseOptions(SampleOrder.Window) with { Transforms = [transform] }));
    }

    private static ShardLoaderOptions MixedNoiseOptions(SampleOrder order) =>
        LoaderHarness.Options(order, CoverageBatch) with { Transforms = [new NoiseTransform("x", "tokens")] };

    private static ShardLoaderOptions ScatterNoiseOptions(SampleOrder order, bool scatter) =>
        LoaderHarness.Options(order, 16) with { Assembly = scatter ? BatchAssembly.Scatter : BatchAssembly.Gather, Transforms = [new NoiseTransform("vec")] };

    // A batch of the scatter dataset transformed by NoiseTransform("vec"): id and wide pass through, vec and draws from the key.
    private static void AssertScatterNoise(Batch batch, ulong seed)
    {
        CollectionAssert.AreEqual(new[] { "id", "vec", "draws", "wide" }, batch.Schema.Fields.Select(f => f.Name).ToArray());
        ReadOnlySpan<long> ids = batch.GetFixed<long>("id");
        ReadOnlySpan<float> vec = batch.GetFixed<float>("vec");
        ReadOnlySpan<int> draws = batch.GetFixed<int>("draws");
        ReadOnlySpan<byte> wide = batch.GetFixed<byte>("wide");
        float[] input = new float[40];
        for (int i = 0; i < batch.Count; i++)
        {
            long s = batch.SampleIndices[i];
            Assert.AreEqual(s, ids[i], $"sample {s}: id");
            Assert.AreEqual((byte)((s * 31) + 7), wide[(i * WideBytes) + 7], $"sample {s}: wide passed through");
            if (batch.SkippedPositions.Contains(i))
            {
                Assert.IsTrue(vec.Slice(i * 40, 40).IndexOfAnyExcept(0f) < 0 && draws.Slice(i * 4, 4).IndexOfAnyExcept(0) < 0, $"sample {s}: skipped, outputs zero");
                continue;
            }

            for (int k = 0; k < 40; k++)
            {
                input[k] = s + (k / 8f);
            }

            var random = new TransformRandom(seed, batch.Epoch, s, 0);
            (float[] values, int[] expectedDraws) = NoiseTransform.Expected(input, ref random);
            CollectionAssert.AreEqual(values, vec.Slice(i * 40, 40).ToArray(), $"sample {s}: vec");
            CollectionAssert.AreEqual(expectedDraws, draws.Slice(i * 4, 4).ToArray(), $"sample {s}: draws");
        }
    }
}
