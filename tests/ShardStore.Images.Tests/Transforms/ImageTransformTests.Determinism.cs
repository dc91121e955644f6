using ShardStore.Images.Tests.Transforms.Infrastructure;
using ShardStore.Images.Transforms;

namespace ShardStore.Images.Tests.Transforms;

/// <summary>
/// The crop and flip come from the loader's per-sample generator, drawn at full size before the decoder picks its scale,
/// so the image batches are byte-identical whatever the worker count, world size or resume point.
/// </summary>
public sealed partial class ImageTransformTests
{
    [TestMethod]
    public void NextBatch_OneOrTwoWorkers_ByteIdenticalBatches()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = PhotoDataset(dir);
        ShardLoaderOptions options = DeterminismOptions() with { Epochs = 2 };

        List<LoadedBatch> one = LoaderRuns.Run(ds, options with { DecodeWorkers = 1 });
        List<LoadedBatch> two = LoaderRuns.Run(ds, options with { DecodeWorkers = 2, Transforms = [new ImageTransform(DeterminismTransform())] });

        LoaderRuns.AssertSameBytes(one, two, "two workers:");
        Assert.IsTrue(one.Any(b => b.Fields[0].AsSpan().IndexOfAnyExcept((byte)0) >= 0), "the images are not all zero");
    }

    [TestMethod]
    public void NextBatch_WorldSizeOneOrThree_SameBytesForEverySampleOfTheGlobalOrder()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = PhotoDataset(dir);
        ShardLoaderOptions options = DeterminismOptions() with { LogicalPartitions = 3 };
        List<LoadedBatch> single = LoaderRuns.Run(ds, options);
        var ranks = new List<LoadedBatch>();
        for (int rank = 0; rank < 3; rank++)
        {
            ranks.AddRange(LoaderRuns.Run(ds, options with { WorldSize = 3, Rank = rank }));
        }

        Schema schema = LoaderSchema(ds, options);
        Dictionary<(int, long), byte[]> expected = LoaderRuns.Rows(single, schema);
        Dictionary<(int, long), byte[]> actual = LoaderRuns.Rows(ranks, schema);
        Assert.HasCount(TransformPhotos.JpegCount, actual, "samples over three ranks");
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray(), "the samples");
        foreach (((int, long) key, byte[] bytes) in expected)
        {
            CollectionAssert.AreEqual(bytes, actual[key], $"epoch and sample {key}");
        }
    }

    [TestMethod]
    public void NextBatch_ResumedMidEpoch_ByteIdenticalToTheUninterruptedRun()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = PhotoDataset(dir);
        ShardLoaderOptions options = DeterminismOptions() with { Epochs = 2 };
        List<LoadedBatch> uninterrupted = LoaderRuns.Run(ds, options);
        int cut = uninterrupted.Count / 4;

        List<LoadedBatch> resumed;
        LoaderState state;
        using (ShardLoader first = ShardLoader.Create(ds, options))
        {
            resumed = LoaderRuns.Drain(first, limit: cut);
            state = first.GetState();
        }

        resumed.AddRange(LoaderRuns.Run(ds, options with { ResumeFrom = state, DecodeWorkers = 1, Transforms = [new ImageTransform(DeterminismTransform())] }));

        Assert.AreEqual(0, uninterrupted[cut].Epoch, "the resume point is inside the first epoch");
        Assert.AreNotEqual(0L, uninterrupted[cut].Position, "the resume point is inside the first epoch");
        LoaderRuns.AssertSameBytes(uninterrupted, resumed, "resumed:");
    }

    private static ShardDataset PhotoDataset(TempDirectory dir) =>
        ShardDataset.Open(ImageDatasets.Write(dir.Path, [.. TransformPhotos.Get().Jpegs.Select(p => p.Read())]));

    private static ImageTransformOptions DeterminismTransform() => Options(48, 40);

    private static ShardLoaderOptions DeterminismOptions() => new()
    {
        BatchSize = 4,
        Seed = Seed,
        Order = SampleOrder.Window,
        WindowChunks = 2,
        DecodeWorkers = 2,
        Transforms = [new ImageTransform(DeterminismTransform())],
    };
}
