using ShardStore.Compression;
using ShardStore.Internals.Loading;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

/// <summary>
/// Scatter assembly (compressed chunks in Sequential or Window order, fixed-width fields): each chunk is decoded
/// once and its samples copied straight into the planned batches. It must deliver exactly what the plan says,
/// with the right bytes, under every partitioning, and keep the loader's guarantees (resume, errors, leaks).
/// </summary>
public sealed partial class ShardLoaderTests
{
    // Not a multiple of any step below, with a remainder under 8, so some of 8 ranks get an empty last batch.
    private const int ScatterSamples = 901;
    private const int WideBytes = 1000;

    public static IEnumerable<object[]> ScatterCoverageCases =>
        from order in new[] { SampleOrder.Sequential, SampleOrder.Window }
        from worldSize in new[] { 1, 3, 8 }
        from dropLast in new[] { false, true }
        from partitions in new[] { 1, 4 }
        select new object[] { order, worldSize, dropLast, partitions };

    [TestMethod]
    [DynamicData(nameof(ScatterCoverageCases))]
    public void NextBatch_Scatter_EveryRankGetsItsPlannedSamplesWithTheirValues(SampleOrder order, int worldSize, bool dropLast, int partitions)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        var all = new List<BatchRecord>();
        for (int rank = 0; rank < worldSize; rank++)
        {
            ShardLoaderOptions options = ScatterOptions(order) with { WorldSize = worldSize, Rank = rank, DropLast = dropLast, LogicalPartitions = partitions };
            List<BatchRecord> batches = RunScatter(ds, options);
            AssertMatchesPlan([.. ShardLoader.PlanEpoch(ds, options, 0)], batches, $"rank {rank}");
            all.AddRange(batches);
        }

        long[] seen = LoaderHarness.GlobalSequence(all, 0);
        long expected = dropLast ? ScatterSamples / (worldSize * 16) * (worldSize * 16) : ScatterSamples;
        Assert.HasCount((int)expected, seen, "samples over all ranks");
        Assert.HasCount((int)expected, seen.Distinct(), "distinct samples over all ranks");
    }

    // Random settings (fixed seeds, so a failure names a reproducible case): batch sizes around and above the
    // chunk size, windows of 1 to 6 chunks, partitions, ranks, drop-last, workers and prefetch depths.
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    [DataRow(5)]
    [DataRow(6)]
    public void NextBatch_ScatterRandomSettings_MatchesThePlanOverTwoEpochs(int seed)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        var random = new Random(seed);
        for (int trial = 0; trial < 4; trial++)
        {
            int worldSize = random.Next(1, 5);
            ShardLoaderOptions options = ScatterOptions(random.Next(2) == 0 ? SampleOrder.Sequential : SampleOrder.Window) with
            {
                BatchSize = random.Next(1, 60),
                WindowChunks = random.Next(1, 7),
                WindowPieceSamples = random.Next(2) == 0 ? null : random.Next(1, 9),
                LogicalPartitions = random.Next(1, 6),
                WorldSize = worldSize,
                Rank = random.Next(worldSize),
                DropLast = random.Next(2) == 0,
                DecodeWorkers = random.Next(1, 4),
                PrefetchDepth = random.Next(1, 5),
                Seed = (ulong)random.Next(),
                Epochs = 2,
            };

            List<BatchRecord> batches = RunScatter(ds, options);
            AssertMatchesPlan([.. ShardLoader.PlanEpoch(ds, options, 0), .. ShardLoader.PlanEpoch(ds, options, 1)], batches, options.ToString());
        }
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    public void NextBatch_Scatter_SameBatchesAsGatherOverSeveralEpochs(SampleOrder order)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterOptions(order) with { Epochs = 3, LogicalPartitions = 2 };

        List<BatchRecord> scattered = RunScatter(ds, options);
        List<BatchRecord> gathered = LoaderHarness.Run(ds, options with { Assembly = BatchAssembly.Gather }, checkValues: false);

        LoaderHarness.AssertSameBatches(gathered, scattered, "scatter vs gather:");
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, 1, 1, 0)]
    [DataRow(SampleOrder.Window, 1, 1, 0)]
    [DataRow(SampleOrder.Window, 1, 4, 0)]
    [DataRow(SampleOrder.Window, 3, 4, 0)]
    [DataRow(SampleOrder.Window, 1, 1, 3)]
    [DataRow(SampleOrder.Window, 3, 2, 2)]
    [DataRow(SampleOrder.Sequential, 3, 2, 0)]
    public void NextBatch_ScatterWithTheLeastSlots_DecodesEachChunkOncePerEpoch(SampleOrder order, int worldSize, int partitions, int pieceSamples)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterOptions(order) with
        {
            WorldSize = worldSize,
            Rank = worldSize - 1,
            LogicalPartitions = partitions,
            Epochs = 2,
            WindowPieceSamples = pieceSamples > 0 ? pieceSamples : null,
        };
        var layout = new ChunkIndex(ds);
        int least = ChunkScatter.SpanBatches(layout, order, WindowShape.For(layout, options).GroupChunks, partitions, options.BatchSize, worldSize) + 1;
        options = options with { MemoryBudgetBytes = (least * BatchSlot.InitialBytes(ds.Schema, options.BatchSize)) + LoaderMemoryPlan.WorkerBufferBytesFor(options, layout, scatter: true) };

        ShardLoader loader = ShardLoader.Create(ds, options);
        List<BatchRecord> batches;
        using (loader)
        {
            Assert.IsTrue(loader.Scatters, "scatter at the least budget");
            Assert.AreEqual(least, loader.SlotCount, "slots");
            batches = LoaderHarness.Drain(loader, checkValues: false);
        }

        LoaderHarness.AssertReleased(loader, ds);
        long reads = batches.GroupBy(b => b.Epoch).Sum(epoch => epoch.SelectMany(b => b.Samples).Select(layout.ChunkOf).Distinct().Count());
        Assert.AreEqual(reads, loader.Statistics.ChunksLoaded, "chunks decoded: each chunk the rank reads, once per epoch");
        Assert.IsLessThanOrEqualTo(options.MemoryBudgetBytes, loader.Statistics.PeakMemoryBytes, "peak memory within the budget");
    }

    [TestMethod]
    public void Create_ScatterBudget_SlotsBetweenTheLeastAndTwoWindowsAndGatherBelow()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterOptions(SampleOrder.Window) with { Assembly = BatchAssembly.Auto };
        var layout = new ChunkIndex(ds);
        int span = ChunkScatter.SpanBatches(layout, SampleOrder.Window, WindowShape.For(layout, options).GroupChunks, 1, options.BatchSize, 1);
        long perSlot = BatchSlot.InitialBytes(ds.Schema, options.BatchSize);
        long buffers = LoaderMemoryPlan.WorkerBufferBytesFor(options, layout, scatter: true);

        using (ShardLoader roomy = ShardLoader.Create(ds, options))
        {
            Assert.IsTrue(roomy.Scatters, "lz4 chunks in Window order scatter by default");
            Assert.AreEqual((2 * span) + options.PrefetchDepth + 1, roomy.SlotCount, "slots with room to spare");
        }

        using (ShardLoader tight = ShardLoader.Create(ds, options with { MemoryBudgetBytes = buffers + ((span + 5) * perSlot) }))
        {
            Assert.IsTrue(tight.Scatters, "scatter with a span and a few slots more");
            Assert.AreEqual(span + 5, tight.SlotCount, "slots the budget holds");
        }

        ShardLoader gather = ShardLoader.Create(ds, options with { MemoryBudgetBytes = buffers + (span * perSlot) });
        using (gather)
        {
            Assert.IsFalse(gather.Scatters, "too little budget for a span: gather");
            Assert.AreEqual(options.PrefetchDepth + 1, gather.SlotCount, "gather slots");
            Assert.HasCount((int)gather.TotalBatches!, LoaderHarness.Drain(gather, checkValues: false), "batches when gathering");
        }

        using (ShardLoader random = ShardLoader.Create(ds, options with { Order = SampleOrder.Random }))
        {
            Assert.IsFalse(random.Scatters, "Random order reads every chunk in every batch: gather");
        }

        using (ShardLoader mixed = ShardLoader.Create(Mixed, options))
        {
            Assert.IsFalse(mixed.Scatters, "variable-length fields: gather");
        }
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, 1)]
    [DataRow(SampleOrder.Window, 3)]
    public void GetState_Scatter_ResumedLoaderDeliversExactlyTheRest(SampleOrder order, int worldSize)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterOptions(order) with { Epochs = 2, WorldSize = worldSize, Rank = 1 % worldSize, LogicalPartitions = 4 };
        var full = new List<BatchRecord>();
        var states = new List<LoaderState>();
        using (ShardLoader loader = ShardLoader.Create(ds, options))
        {
            states.Add(loader.GetState());
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    full.Add(LoaderHarness.Record(batch, checkValues: false));
                    states.Add(loader.GetState());
                }
            }
        }

        for (int k = 0; k < states.Count; k += 5)
        {
            List<BatchRecord> rest = RunScatter(ds, options with { ResumeFrom = LoaderState.FromBytes(states[k].ToBytes()) });
            Assert.HasCount(full.Count - k, rest, $"batches after resuming at batch {k}");
            for (int i = 0; i < rest.Count; i++)
            {
                CollectionAssert.AreEqual(full[k + i].Samples, rest[i].Samples, $"resumed at {k}: batch {i}");
                Assert.AreEqual(full[k + i].Epoch, rest[i].Epoch, $"resumed at {k}: batch {i} epoch");
            }
        }
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    public void NextBatch_ScatterCorruptChunk_DeliversEarlierBatchesThenThrowsNamingShardAndChunk(SampleOrder order)
    {
        using var dir = new TempDirectory();
        string path = WriteScatterDataset(dir);
        ShardLoaderOptions options = ScatterOptions(order) with { LogicalPartitions = 2 };
        (int shard, int chunk, int firstBad, List<BatchRecord> intact) = CorruptMidEpochChunk(path, CodecKind.Lz4, options, checkValues: false);

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        ShardLoader loader = ShardLoader.Create(ds, options);
        using (loader)
        {
            Assert.IsTrue(loader.Scatters, "scatter");
            var before = new List<BatchRecord>();
            for (int i = 0; i < firstBad; i++)
            {
                using Batch batch = loader.NextBatch() ?? throw new AssertFailedException($"the loader ended before batch {i}");
                AssertScatterValues(batch);
                before.Add(LoaderHarness.Record(batch, checkValues: false));
            }

            LoaderHarness.AssertSameBatches(intact[..firstBad], before, "before the corrupt chunk:");
            InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => loader.NextBatch());
            ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
            InvalidDataException again = Assert.ThrowsExactly<InvalidDataException>(() => loader.NextBatch());
            ShardCorruptor.AssertLocated(again, ShardCorruptor.ShardFileName(shard), shard, chunk);
        }

        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(7)]
    [DataRow(40)]
    public void Dispose_ScatterMidEpochWhileHoldingABatch_LeavesNothingBehind(int batchesRead)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoader loader = ShardLoader.Create(ds, ScatterOptions(SampleOrder.Window) with { Epochs = null });
        Batch? held;
        using (loader)
        {
            Assert.IsTrue(loader.Scatters, "scatter");
            for (int i = 0; i < batchesRead; i++)
            {
                using Batch batch = loader.NextBatch()!;
                AssertScatterValues(batch);
            }

            held = batchesRead > 0 ? loader.NextBatch() : null;
        }

        Assert.AreEqual(0, loader.RunningWorkers, "running workers after dispose");
        held?.Dispose();
        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    public void NextBatch_ScatterWithTheConsumerHoldingBatches_KeepsGoing()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteScatterDataset(dir), TestData.ReadOptions());
        ShardLoaderOptions options = ScatterOptions(SampleOrder.Window) with { Epochs = 2 };
        ShardLoader loader = ShardLoader.Create(ds, options);
        var held = new Queue<Batch>();
        long samples = 0;
        using (loader)
        {
            // Keep the last PrefetchDepth batches alive, as a consumer with copies in flight would.
            while (loader.NextBatch() is { } batch)
            {
                AssertScatterValues(batch);
                samples += batch.Count;
                held.Enqueue(batch);
                if (held.Count == options.PrefetchDepth)
                {
                    held.Dequeue().Dispose();
                }
            }

            while (held.TryDequeue(out Batch? b))
            {
                b.Dispose();
            }
        }

        Assert.AreEqual(2L * ScatterSamples, samples, "samples over two epochs");
        LoaderHarness.AssertReleased(loader, ds);
    }

    // The loader delivered exactly the planned batches, in order.
    private static void AssertMatchesPlan(long[][] planned, List<BatchRecord> batches, string what)
    {
        Assert.HasCount(planned.Length, batches, $"{what}: batches");
        for (int b = 0; b < planned.Length; b++)
        {
            CollectionAssert.AreEqual(planned[b], batches[b].Samples, $"{what} batch {b}: samples");
        }
    }

    private static ShardLoaderOptions ScatterOptions(SampleOrder order) =>
        LoaderHarness.Options(order, 16) with { Assembly = BatchAssembly.Scatter };

    // Runs a loader that must scatter, checking every batch's bytes.
    private static List<BatchRecord> RunScatter(ShardDataset ds, ShardLoaderOptions options)
    {
        var batches = new List<BatchRecord>();
        ShardLoader loader = ShardLoader.Create(ds, options);
        using (loader)
        {
            Assert.IsTrue(loader.Scatters, "the loader scatters");
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    AssertScatterValues(batch);
                    batches.Add(LoaderHarness.Record(batch, checkValues: false));
                }
            }

            Assert.AreEqual(loader.TotalBatches, batches.Count, "batches delivered vs TotalBatches");
        }

        LoaderHarness.AssertReleased(loader, ds);
        return batches;
    }

    private static void AssertScatterValues(Batch batch)
    {
        ReadOnlySpan<long> ids = batch.GetFixed<long>(0);
        ReadOnlySpan<float> vec = batch.GetFixed<float>(1);
        ReadOnlySpan<byte> wide = batch.GetFixed<byte>(2);
        for (int i = 0; i < batch.Count; i++)
        {
            long s = batch.SampleIndices[i];
            if (ids[i] != s)
            {
                Assert.Fail($"{LoaderHarness.Describe(batch)}: id of item {i} is {ids[i]}, expected {s}.");
            }

            for (int k = 0; k < 40; k++)
            {
                if (vec[(i * 40) + k] != s + (k / 8f))
                {
                    Assert.Fail($"{LoaderHarness.Describe(batch)}: vec[{k}] of sample {s} is {vec[(i * 40) + k]}.");
                }
            }

            for (int k = 0; k < WideBytes; k++)
            {
                if (wide[(i * WideBytes) + k] != (byte)((s * 31) + k))
                {
                    Assert.Fail($"{LoaderHarness.Describe(batch)}: wide[{k}] of sample {s} is {wide[(i * WideBytes) + k]}.");
                }
            }
        }
    }

    /// <summary>Writes samples of three fixed fields (8, 160 and 1000 bytes), lz4, a few samples per chunk, over several shards.</summary>
    private static string WriteScatterDataset(TempDirectory dir)
    {
        var schema = new Schema(FieldSpec.Fixed("id", DType.I64), FieldSpec.Fixed("vec", DType.F32, 40), FieldSpec.Fixed("wide", DType.U8, WideBytes));
        string path = dir.Combine("scatter");
        float[] vec = new float[40];
        byte[] wide = new byte[WideBytes];
        using (DatasetWriter w = DatasetWriter.Create(path, schema, TestData.Options(CodecKind.Lz4, chunkBytes: 8 << 10, shardBytes: 64 << 10)))
        {
            for (long s = 0; s < ScatterSamples; s++)
            {
                for (int k = 0; k < vec.Length; k++)
                {
                    vec[k] = s + (k / 8f);
                }

                for (int k = 0; k < wide.Length; k++)
                {
                    wide[k] = (byte)((s * 31) + k);
                }

                w.WriteScalar(0, s);
                w.Write<float>(1, vec);
                w.Write<byte>(2, wide);
                w.EndSample();
            }

            w.Complete();
        }

        return path;
    }
}
