using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    private const int AppendedSamples = 120;

    [TestMethod]
    [DataRow(SampleOrder.Sequential, 1, 1, 1, CodecKind.None)]
    [DataRow(SampleOrder.Window, 2, 2, 1, CodecKind.Lz4)]
    [DataRow(SampleOrder.Random, 2, 3, 2, CodecKind.None)]
    [DataRow(SampleOrder.Window, 3, 1, 4, CodecKind.None)]
    public void Resume_StateOfOlderGeneration_FinishesItsEpochOnOldSamplesThenReadsAll(SampleOrder order, int worldSize, int resumeWorldSize, int partitions, CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, SmallSamples, codec);
        using ShardDataset old = ShardDataset.Open(path, TestData.ReadOptions());
        ShardLoaderOptions options = LoaderHarness.Options(order, SmallBatch) with { WorldSize = worldSize, LogicalPartitions = partitions, Epochs = 3 };
        LoaderState state;
        using (ShardLoader first = ShardLoader.Create(old, options))
        {
            LoaderHarness.Drain(first, limit: 3);
            state = first.GetState();
        }

        Assert.AreEqual(1, state.DatasetGeneration);
        Assert.AreEqual(0, state.Epoch);
        Assert.AreEqual(3L * worldSize * SmallBatch, state.Position);
        AppendMixed(path, SmallSamples, SmallSamples + AppendedSamples, codec);
        using ShardDataset current = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.AreEqual(2, current.Generation);

        var resumed = new List<BatchRecord>();
        var expectedRestOfEpoch = new List<BatchRecord>();
        for (int rank = 0; rank < resumeWorldSize; rank++)
        {
            ShardLoaderOptions rankOptions = options with { WorldSize = resumeWorldSize, Rank = rank };
            expectedRestOfEpoch.AddRange(LoaderHarness.Run(old, rankOptions with { ResumeFrom = state, Epochs = 1 }));
            ShardLoader loader = ShardLoader.Create(current, rankOptions with { ResumeFrom = state });
            using (loader)
            {
                while (loader.NextBatch() is { } batch)
                {
                    using (batch)
                    {
                        resumed.Add(LoaderHarness.Record(batch));
                        LoaderState now = loader.GetState();
                        Assert.AreEqual(now.Epoch == 0 ? 1 : 2, now.DatasetGeneration, $"state after {LoaderHarness.Describe(batch)}");
                        Assert.AreEqual(now.Epoch == 0 ? old.Fingerprint : current.Fingerprint, now.DatasetFingerprint);
                    }
                }
            }

            LoaderHarness.AssertReleased(loader, current);
        }

        // The rest of epoch 0 is exactly the old generation's plan; each later epoch is the new generation's, every sample once.
        LoaderHarness.AssertSameBatches(
            [.. expectedRestOfEpoch.OrderBy(b => b.Position)],
            [.. resumed.Where(b => b.Epoch == 0).OrderBy(b => b.Position)],
            "rest of epoch 0");
        long[] epoch0 = [.. resumed.Where(b => b.Epoch == 0).SelectMany(b => b.Samples)];
        Assert.IsTrue(epoch0.All(i => i < SmallSamples), "epoch 0 reads only the old generation's samples");
        Assert.HasCount(SmallSamples - (int)state.Position, epoch0);
        for (int epoch = 1; epoch < 3; epoch++)
        {
            long[] all = LoaderHarness.GlobalSequence(resumed, epoch);
            CollectionAssert.AreEqual(Enumerable.Range(0, SmallSamples + AppendedSamples).Select(i => (long)i).ToArray(), all.Order().ToArray(), $"epoch {epoch}: every sample of generation 2 once");
            for (int rank = 0; rank < resumeWorldSize; rank++)
            {
                long[] planned = [.. ShardLoader.PlanEpoch(current, options with { WorldSize = resumeWorldSize, Rank = rank }, epoch).SelectMany(b => b)];
                long[] got = [.. resumed.Where(b => b.Epoch == epoch).SelectMany(b => b.Samples).Where(planned.Contains)];
                Assert.HasCount(planned.Length, got, $"epoch {epoch} rank {rank}: the new generation's plan");
            }
        }
    }

    [TestMethod]
    public void NextBatch_AppendWhileLoaderRunsOnOldGeneration_LoaderFinishesExactlyTheOldPlan()
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, SmallSamples, CodecKind.Lz4);
        using ShardDataset old = ShardDataset.Open(path, TestData.ReadOptions());
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, SmallBatch) with { Epochs = 2 };
        List<BatchRecord> reference = LoaderHarness.Run(old, options);

        List<BatchRecord> got;
        ShardLoader loader = ShardLoader.Create(old, options);
        using (loader)
        {
            got = LoaderHarness.Drain(loader, limit: 2);
            AppendMixed(path, SmallSamples, SmallSamples + AppendedSamples, CodecKind.Lz4);
            got.AddRange(LoaderHarness.Drain(loader));
            Assert.AreEqual(1, loader.GetState().DatasetGeneration);
        }

        LoaderHarness.AssertReleased(loader, old);
        LoaderHarness.AssertSameBatches(reference, got, "run across an append");
    }

    [TestMethod]
    public void Create_StateOfNewerGenerationOnOlderOpened_ThrowsArgumentExceptionNamingBoth()
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, SmallSamples);
        AppendMixed(path, SmallSamples, SmallSamples + AppendedSamples, CodecKind.None);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Random, SmallBatch);
        LoaderState state;
        using (ShardDataset current = ShardDataset.Open(path, TestData.ReadOptions()))
        using (ShardLoader loader = ShardLoader.Create(current, options))
        {
            loader.NextBatch()!.Dispose();
            state = loader.GetState();
        }

        using ShardDataset old = ShardDataset.Open(path, new ShardDatasetOptions { Generation = 1 });
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(old, options with { ResumeFrom = state }));
        Assert.Contains("generation 2", e.Message);
        Assert.Contains("generation 1", e.Message);
    }

    [TestMethod]
    public void Create_StateOfAnotherPackAfterAppend_ThrowsArgumentException()
    {
        using var dir = new TempDirectory();
        string a = LoaderHarness.WriteMixed(dir, SmallSamples, name: "a");
        string b = LoaderHarness.WriteMixed(dir, SmallSamples, name: "b");
        AppendMixed(b, SmallSamples, SmallSamples + AppendedSamples, CodecKind.None);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Sequential, SmallBatch);
        LoaderState state;
        using (ShardDataset first = ShardDataset.Open(a, TestData.ReadOptions()))
        using (ShardLoader loader = ShardLoader.Create(first, options))
        {
            state = loader.GetState();
        }

        using ShardDataset other = ShardDataset.Open(b, TestData.ReadOptions());
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(other, options with { ResumeFrom = state }));
        Assert.Contains("another pack", e.Message);
    }

    private static void AppendMixed(string path, long from, long to, CodecKind codec)
    {
        using DatasetWriter writer = DatasetWriter.Append(path, TestData.MixedSchema, TestData.Options(codec, chunkBytes: 1024, shardBytes: 8 << 10));
        TestData.WriteMixedSamples(writer, from, to);
        writer.Complete();
    }
}
