using ShardStore.Compression;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    private const int FixedSamples = 2400;

    [TestMethod]
    [DataRow(0)]
    [DataRow(4)]
    public void NextBatch_WindowOrder_AdjacentItemsShareAChunkAboutOnceInW(int pieceSamples)
    {
        const int W = 8;
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteFixedSize(dir, CodecKind.None), TestData.ReadOptions());
        var layout = new ChunkIndex(ds);
        int chunkSamples = CommonChunkSize(layout);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 32) with { WindowChunks = W, Epochs = 2, WindowPieceSamples = pieceSamples > 0 ? pieceSamples : null };
        int spread = WindowShape.For(layout, options).Spread;
        Assert.AreEqual(pieceSamples > 0 ? chunkSamples / pieceSamples : 1, spread, "windows a chunk's pieces are dealt over");

        List<BatchRecord> batches = RunFixedSize(ds, options);
        double rate = SameChunkRate(layout, batches);

        // A window holds W chunks' worth of samples, S / K of them from each of its group's W * K chunks: the item
        // after a given one is one of the W*S-1 others, S/K-1 of them from its chunk.
        double expected = ((double)chunkSamples / spread - 1.0) / ((W * chunkSamples) - 1.0);
        Assert.IsInRange(expected * 0.6, (expected * 1.4) + 0.002, rate, $"adjacent items from the same chunk (expected about {expected:F3})");

        // Yet every chunk is read within its group: its samples lie within W x K chunks' worth of positions.
        foreach (IGrouping<(int Epoch, int Chunk), (long Position, long Sample)> chunk in batches
            .SelectMany(b => b.Samples.Select((s, i) => (b.Epoch, Position: b.Position + i, Sample: s)))
            .GroupBy(x => (x.Epoch, layout.ChunkOf(x.Sample)), x => (x.Position, x.Sample)))
        {
            long span = chunk.Max(x => x.Position) - chunk.Min(x => x.Position);
            Assert.IsLessThan(W * spread * (long)chunkSamples, span, $"epoch {chunk.Key.Epoch} chunk {chunk.Key.Chunk}: positions spanned");
        }
    }

    [TestMethod]
    public void NextBatch_SequentialOrder_AdjacentItemsNearlyAlwaysShareAChunk()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteFixedSize(dir, CodecKind.None), TestData.ReadOptions());
        var layout = new ChunkIndex(ds);
        int chunkSamples = CommonChunkSize(layout);

        double rate = SameChunkRate(layout, RunFixedSize(ds, LoaderHarness.Options(SampleOrder.Sequential, 32)));

        Assert.IsGreaterThan(0.9 * (chunkSamples - 1.0) / chunkSamples, rate, "adjacent items from the same chunk");
    }

    [TestMethod]
    [DataRow(SampleOrder.Window, 1, 0)]
    [DataRow(SampleOrder.Window, 4, 0)]
    [DataRow(SampleOrder.Window, 1, 2)]
    [DataRow(SampleOrder.Window, 4, 2)]
    [DataRow(SampleOrder.Sequential, 1, 0)]
    [DataRow(SampleOrder.Sequential, 4, 0)]
    public void NextBatch_Lz4ChunksInStreamingOrder_DecodesEachChunkOncePerEpoch(SampleOrder order, int partitions, int pieceSamples)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteFixedSize(dir, CodecKind.Lz4), TestData.ReadOptions());

        // A budget that holds the whole dataset decoded many times over, so it never forces a re-read; one worker
        // so the count does not depend on thread timing; one epoch, since a chunk still cached at the end of an
        // epoch may serve the next one without a read.
        ShardLoaderOptions options = LoaderHarness.Options(order, 32) with
        {
            WindowChunks = 8,
            WindowPieceSamples = pieceSamples > 0 ? pieceSamples : null,
            LogicalPartitions = partitions,
            DecodeWorkers = 1,
            MemoryBudgetBytes = 64 << 20,
        };
        ShardLoader loader = ShardLoader.Create(ds, options);
        using (loader)
        {
            Assert.HasCount((int)loader.BatchesPerEpoch, LoaderHarness.Drain(loader, checkValues: false));
        }

        Assert.AreEqual(ds.ChunkCount, loader.Statistics.ChunksLoaded, "chunk reads in one epoch");
        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void Statistics_AfterAnEpoch_SourceChunksPerBatchIsTheMeanOfTheBatchesDistinctChunks(SampleOrder order)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(WriteFixedSize(dir, CodecKind.Lz4), TestData.ReadOptions());
        var layout = new ChunkIndex(ds);
        ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(order, 32) with { WindowPieceSamples = 4 });
        List<BatchRecord> batches;
        using (loader)
        {
            Assert.AreEqual(0.0, loader.Statistics.SourceChunksPerBatch, "before the first batch");
            batches = LoaderHarness.Drain(loader, checkValues: false);
        }

        double expected = batches.Average(b => b.Samples.Select(layout.ChunkOf).Distinct().Count());
        Assert.AreEqual(expected, loader.Statistics.SourceChunksPerBatch, 1e-9);
        Assert.IsGreaterThan(order == SampleOrder.Sequential ? 0.0 : 8.0, expected, "distinct chunks per batch");
    }

    /// <summary>Writes samples of 64 bytes (an id and padding) into one shard of equal chunks.</summary>
    private static string WriteFixedSize(TempDirectory dir, CodecKind codec)
    {
        var schema = new Schema(FieldSpec.Fixed("id", DType.I64), FieldSpec.Fixed("pad", DType.F32, 14));
        string path = dir.Combine("fixed");
        float[] pad = new float[14];
        using (DatasetWriter w = DatasetWriter.Create(path, schema, TestData.Options(codec, chunkBytes: 1024, shardBytes: 64 << 20)))
        {
            for (long i = 0; i < FixedSamples; i++)
            {
                w.WriteScalar(0, i);
                w.Write<float>(1, pad);
                w.EndSample();
            }

            w.Complete();
        }

        return path;
    }

    private static List<BatchRecord> RunFixedSize(ShardDataset ds, ShardLoaderOptions options)
    {
        List<BatchRecord> batches = LoaderHarness.Run(ds, options, checkValues: false);
        long[] all = LoaderHarness.Samples(batches);
        Assert.HasCount(FixedSamples * (options.Epochs ?? 1), all);
        Assert.HasCount(FixedSamples, all.Distinct());
        return batches;
    }

    // The chunk size nearly all chunks have (only the last may be shorter).
    private static int CommonChunkSize(ChunkIndex layout)
    {
        int size = Enumerable.Range(0, layout.ChunkCount).GroupBy(layout.SamplesIn).OrderByDescending(g => g.Count()).First().Key;
        Assert.IsGreaterThanOrEqualTo(layout.ChunkCount - 1, Enumerable.Range(0, layout.ChunkCount).Count(c => layout.SamplesIn(c) == size), "equal chunks");
        Assert.IsGreaterThan(4, size, "samples per chunk");
        Assert.IsGreaterThan(8 * 8, layout.ChunkCount, "chunks");
        return size;
    }

    private static double SameChunkRate(ChunkIndex layout, List<BatchRecord> batches)
    {
        long pairs = 0;
        long same = 0;
        foreach (BatchRecord b in batches)
        {
            for (int i = 1; i < b.Count; i++)
            {
                pairs++;
                same += layout.ChunkOf(b.Samples[i]) == layout.ChunkOf(b.Samples[i - 1]) ? 1 : 0;
            }
        }

        Assert.IsGreaterThan(1000L, pairs, "adjacent pairs");
        return (double)same / pairs;
    }
}
