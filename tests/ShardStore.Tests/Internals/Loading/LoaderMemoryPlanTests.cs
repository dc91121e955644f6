using ShardStore.Compression;
using ShardStore.Internals.Loading;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Internals.Loading;

[TestClass]
public sealed class LoaderMemoryPlanTests
{
    private static TempDirectory? s_dir;
    private static ShardDataset? s_mixed;
    private static ShardDataset? s_fixed;

    // Variable-length fields, uncompressed: batches are always gathered.
    private static ShardDataset Mixed => s_mixed ?? throw new InvalidOperationException("ClassInitialize did not run.");

    // Fixed-size fields in lz4 chunks: batches in Sequential or Window order are scattered when the budget allows.
    private static ShardDataset Fixed => s_fixed ?? throw new InvalidOperationException("ClassInitialize did not run.");

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        s_mixed = ShardDataset.Open(LoaderHarness.WriteMixed(s_dir, 400), TestData.ReadOptions());
        s_fixed = ShardDataset.Open(WriteFixed(s_dir.Combine("fixed"), 4000), TestData.ReadOptions());
    }

    [ClassCleanup]
    public static void ClassCleanup()
    {
        s_mixed?.Dispose();
        s_fixed?.Dispose();
        s_dir?.Dispose();
    }

    [TestMethod]
    public void Create_VariableLengthFields_GathersWithPrefetchDepthPlusOneSlots()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 16) with { Assembly = BatchAssembly.Scatter };
        var index = new ChunkIndex(Mixed);

        LoaderMemoryPlan plan = Plan(Mixed, options);

        Assert.IsFalse(plan.Scatter, "variable-length fields cannot be scattered");
        Assert.AreEqual(options.PrefetchDepth + 1, plan.SlotCount);
        Assert.AreEqual(LoaderMemoryPlan.WorkerBufferBytesFor(options, index, scatter: false), plan.WorkerBufferBytes);
    }

    [TestMethod]
    public void Create_CompressedChunksInWindowOrder_ScattersWithSlotsForTwoSpansAndThePrefetchDepth()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 16);
        var index = new ChunkIndex(Fixed);
        int span = ChunkScatter.SpanBatches(index, SampleOrder.Window, WindowShape.For(index, options).GroupChunks, 1, options.BatchSize, 1);
        int aim = (2 * span) + options.PrefetchDepth + 1;
        Assert.IsLessThan(Schedule(Fixed, options).TotalBatches!.Value, aim, "the run is longer than the slots");

        LoaderMemoryPlan plan = Plan(Fixed, options);

        Assert.IsTrue(plan.Scatter, "lz4 chunks in Window order scatter by default");
        Assert.AreEqual(aim, plan.SlotCount);
        Assert.AreEqual(LoaderMemoryPlan.WorkerBufferBytesFor(options, index, scatter: true), plan.WorkerBufferBytes);
    }

    [TestMethod]
    public void Create_ScatterBudgetBetweenTheLeastAndTheAim_TakesTheSlotsTheBudgetHolds()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 16);
        var index = new ChunkIndex(Fixed);
        int span = ChunkScatter.SpanBatches(index, SampleOrder.Window, WindowShape.For(index, options).GroupChunks, 1, options.BatchSize, 1);
        long perSlot = BatchSlot.InitialBytes(Fixed.Schema, options.BatchSize);
        long buffers = LoaderMemoryPlan.WorkerBufferBytesFor(options, index, scatter: true);

        LoaderMemoryPlan tight = Plan(Fixed, options with { MemoryBudgetBytes = buffers + ((span + 2) * perSlot) + (perSlot / 2) });
        LoaderMemoryPlan least = Plan(Fixed, options with { MemoryBudgetBytes = buffers + ((span + 1) * perSlot) });

        Assert.IsTrue(tight.Scatter);
        Assert.AreEqual(span + 2, tight.SlotCount, "whole slots the budget holds beside the workers' buffers");
        Assert.IsTrue(least.Scatter);
        Assert.AreEqual(span + 1, least.SlotCount, "one span and one slot more is the least scatter works with");
    }

    [TestMethod]
    public void Create_ScatterBudgetBelowTheLeast_Gathers()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 16);
        var index = new ChunkIndex(Fixed);
        int span = ChunkScatter.SpanBatches(index, SampleOrder.Window, WindowShape.For(index, options).GroupChunks, 1, options.BatchSize, 1);
        long perSlot = BatchSlot.InitialBytes(Fixed.Schema, options.BatchSize);
        long buffers = LoaderMemoryPlan.WorkerBufferBytesFor(options, index, scatter: true);

        LoaderMemoryPlan plan = Plan(Fixed, options with { MemoryBudgetBytes = buffers + (span * perSlot) });

        Assert.IsFalse(plan.Scatter);
        Assert.AreEqual(options.PrefetchDepth + 1, plan.SlotCount);
        Assert.AreEqual(LoaderMemoryPlan.WorkerBufferBytesFor(options, index, scatter: false), plan.WorkerBufferBytes, "a gathering worker has no chunk buffer of its own");
    }

    [TestMethod]
    public void Create_ScatterRunShorterThanTheSlots_OneSlotPerBatchAndOneMore()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Sequential, 500) with { PrefetchDepth = 40, Assembly = BatchAssembly.Scatter };
        long total = Schedule(Fixed, options).TotalBatches!.Value;

        LoaderMemoryPlan plan = Plan(Fixed, options);

        Assert.IsTrue(plan.Scatter);
        Assert.AreEqual(total + 1, plan.SlotCount, "slots past the run's batch count are useless");
    }

    [TestMethod]
    [DataRow(SampleOrder.Random, false)]
    [DataRow(SampleOrder.Window, true)]
    [DataRow(SampleOrder.Sequential, true)]
    public void Create_RandomOrderOrGatherAsked_Gathers(SampleOrder order, bool gatherAsked)
    {
        ShardLoaderOptions options = LoaderHarness.Options(order, 16) with { Assembly = gatherAsked ? BatchAssembly.Gather : BatchAssembly.Scatter };

        LoaderMemoryPlan plan = Plan(Fixed, options);

        Assert.IsFalse(plan.Scatter);
        Assert.AreEqual(options.PrefetchDepth + 1, plan.SlotCount);
    }

    [TestMethod]
    public void Create_BudgetCannotHoldTheSlotsAndBuffers_ThrowsNamingTheBudgetAndWhatItMustHold()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 16);
        var index = new ChunkIndex(Fixed);
        int slots = options.PrefetchDepth + 1;
        long slotBytes = slots * BatchSlot.InitialBytes(Fixed.Schema, options.BatchSize);
        long buffers = LoaderMemoryPlan.WorkerBufferBytesFor(options, index, scatter: true);
        long budget = slotBytes + buffers - 1;

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => Plan(Fixed, options with { MemoryBudgetBytes = budget }));

        Assert.AreEqual("options", e.ParamName);
        Assert.Contains($"MemoryBudgetBytes ({budget})", e.Message);
        Assert.Contains($"cannot hold {slots} batch slots ({slotBytes} bytes)", e.Message);
        Assert.Contains($"({buffers} bytes)", e.Message);
        Assert.Contains("raise it, or lower BatchSize, PrefetchDepth or DecodeWorkers", e.Message);
        Assert.IsFalse(Plan(Fixed, options with { MemoryBudgetBytes = budget + 1 }).Scatter, "one byte more: enough to gather");
    }

    [TestMethod]
    public void WorkerBufferBytesFor_CompressedChunks_ScratchPerWorkerAndAChunkBufferWhenScattering()
    {
        var index = new ChunkIndex(Fixed);
        ShardLoaderOptions one = LoaderHarness.Options(SampleOrder.Window, 16) with { DecodeWorkers = 1 };
        ShardLoaderOptions three = one with { DecodeWorkers = 3 };
        Assert.IsGreaterThan(0L, index.MaxCompressedChunkBytes);

        long gather = LoaderMemoryPlan.WorkerBufferBytesFor(one, index, scatter: false);
        long scatter = LoaderMemoryPlan.WorkerBufferBytesFor(one, index, scatter: true);

        Assert.AreEqual(ChunkBufferPool.RoundUp(index.MaxCompressedChunkBytes), gather, "room for one compressed chunk's stored bytes");
        Assert.AreEqual(gather + ChunkBufferPool.RoundUp(index.MaxRawChunkBytes), scatter, "and one raw chunk to scatter from");
        Assert.AreEqual(3 * scatter, LoaderMemoryPlan.WorkerBufferBytesFor(three, index, scatter: true), "per worker");
        Assert.AreEqual(3 * gather, LoaderMemoryPlan.WorkerBufferBytesFor(three, index, scatter: false), "per worker");
    }

    [TestMethod]
    public void WorkerBufferBytesFor_UncompressedChunks_GatheringWorkersNeedNone()
    {
        var index = new ChunkIndex(Mixed);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 16);

        Assert.AreEqual(0L, LoaderMemoryPlan.WorkerBufferBytesFor(options, index, scatter: false));
        Assert.AreEqual(options.DecodeWorkers * ChunkBufferPool.RoundUp(index.MaxRawChunkBytes), LoaderMemoryPlan.WorkerBufferBytesFor(options, index, scatter: true));
    }

    [TestMethod]
    [DataRow(SampleOrder.Random, 16, 1, 4096)]
    [DataRow(SampleOrder.Random, 3000, 1, 6000)]
    [DataRow(SampleOrder.Window, 16, 1, (2 * 4) + (2 * 2) + 2)]
    [DataRow(SampleOrder.Window, 16, 2, (2 * 4 * 2) + (2 * 2) + 2)]
    [DataRow(SampleOrder.Sequential, 16, 1, 2 + (2 * 2) + 2)]
    [DataRow(SampleOrder.Sequential, 16, 3, (2 * 3) + (2 * 2) + 2)]
    public void Create_Order_CacheEntriesForTheChunksBatchesInFlightCanNeed(SampleOrder order, int batchSize, int partitions, int expected)
    {
        // Window: two windows per partition; Sequential: two chunks per partition; both plus two per worker and two.
        // Random: every batch can read a chunk per sample.
        ShardLoaderOptions options = LoaderHarness.Options(order, batchSize) with { LogicalPartitions = partitions };

        Assert.AreEqual(expected, Plan(Mixed, options).CacheEntries);
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, true, true)]
    [DataRow(SampleOrder.Window, true, true)]
    [DataRow(SampleOrder.Random, true, false)]
    [DataRow(SampleOrder.Window, false, false)]
    [DataRow(SampleOrder.Window, null, false)]
    public void Create_ReleaseConsumedPages_FollowedExceptInRandomOrder(SampleOrder order, bool? release, bool expected)
    {
        // null: released only when the dataset is larger than a quarter of memory, which the test dataset is not.
        ShardLoaderOptions options = LoaderHarness.Options(order, 16) with { ReleaseConsumedPages = release };

        Assert.AreEqual(expected, Plan(Mixed, options).ReleasePages);
    }

    private static LoaderMemoryPlan Plan(ShardDataset dataset, ShardLoaderOptions options) =>
        LoaderMemoryPlan.Create(dataset, options, new ChunkIndex(dataset), Schedule(dataset, options));

    private static RankSchedule Schedule(ShardDataset dataset, ShardLoaderOptions options) =>
        new(dataset.SampleCount, options.BatchSize, options.Rank, options.WorldSize, options.DropLast, 0, 0, options.Epochs);

    private static string WriteFixed(string path, long count)
    {
        var schema = new Schema(FieldSpec.Fixed("id", DType.I64), FieldSpec.Fixed("vec", DType.F32, 40));
        float[] vec = new float[40];
        using DatasetWriter writer = DatasetWriter.Create(path, schema, TestData.Options(CodecKind.Lz4, chunkBytes: 8 << 10, shardBytes: 64 << 10));
        for (long s = 0; s < count; s++)
        {
            for (int k = 0; k < vec.Length; k++)
            {
                vec[k] = s + (k / 8f);
            }

            writer.WriteScalar(0, s);
            writer.Write<float>(1, vec);
            writer.EndSample();
        }

        writer.Complete();
        return path;
    }
}
