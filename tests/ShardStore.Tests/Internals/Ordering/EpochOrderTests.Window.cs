using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardStore.Tests.Internals.Ordering;

public sealed partial class EpochOrderTests
{
    private const int ChunkBytes = 4 << 20;

    [TestMethod]
    [DataRow(100)]
    [DataRow(1024)]
    [DataRow(16 * 1024)]
    [DataRow(110 * 1024)]
    [DataRow(200 * 1024)]
    public void Fill_ClassSortedLayout_WindowBatchesHoldAtLeastFourFifthsOfRandomsClasses(int sampleBytes)
    {
        // 200 classes of 1 MiB each, packed class after class into 4 MiB chunks: four classes per chunk, as an image
        // folder packed without shuffling (measured before pieces: 37 classes per Window batch of 256 against 145).
        int perClass = Math.Max(1, (1 << 20) / sampleBytes);
        (ChunkIndex layout, Func<long, long> label) = ClassSorted(200, perClass, sampleBytes);

        // The shape a loader with default options uses.
        OrderFigures window = Figures(layout, SampleOrder.Window, label, WindowShape.For(layout, new ShardLoaderOptions()));
        OrderFigures random = Figures(layout, SampleOrder.Random, label, WindowShape.For(layout, 8));

        Assert.IsGreaterThanOrEqualTo(0.8 * random.MeanLabels, window.MeanLabels, $"classes per batch: Window {window.MeanLabels:F1}, Random {random.MeanLabels:F1}");
        Assert.IsGreaterThan(WindowShape.For(layout, 8).WindowChunks, window.MeanChunks, "a Window batch draws from more chunks than a window's worth");
    }

    [TestMethod]
    public void Fill_SpreadOne_ReadsEachWindowFromItsWChunksOnly()
    {
        // Whole-chunk windows: the positions of window w read only the W chunks of its slice of the schedule.
        (ChunkIndex layout, _) = ClassSorted(40, 300, 1000);
        var order = new EpochOrder(layout, SampleOrder.Window, 4, 0, 1, new WindowShape(3, 50, 1), 64);
        long[] samples = Whole(order);
        var byWindow = new Dictionary<long, HashSet<int>>();
        for (long p = 0; p < samples.Length; p++)
        {
            int chunk = layout.ChunkOf(samples[p]);
            long window = order.FirstUse(chunk);
            Assert.IsLessThanOrEqualTo(p, window, $"position {p} reads chunk {chunk} before its window");
            (byWindow.TryGetValue(window, out HashSet<int>? set) ? set : byWindow[window] = []).Add(chunk);
        }

        Assert.IsTrue(byWindow.Values.All(s => s.Count <= 3), "chunks per window");
    }

    [TestMethod]
    public void Fill_FullGroups_EveryWindowReadsEveryChunkOfItsGroup()
    {
        // 4 x 3 = 12 chunks per group, 3 windows per group; 30 samples per chunk in pieces of 5, so every chunk has a
        // piece for every window, and a window's batches draw from all 12.
        (ChunkIndex layout, _) = ClassSorted(1, 30 * 36, 100, chunkSamples: 30);
        var shape = new WindowShape(4, 5, 3);
        var order = new EpochOrder(layout, SampleOrder.Window, 8, 2, 1, shape, 16);
        long[] samples = Whole(order);
        long windowSamples = 4 * 30;
        for (long start = 0; start < samples.Length; start += windowSamples)
        {
            int distinct = samples.AsSpan((int)start, (int)windowSamples).ToArray().Select(layout.ChunkOf).Distinct().Count();
            Assert.AreEqual(12, distinct, $"chunks read by the window at {start}");
        }
    }

    [TestMethod]
    public void Fill_ManyLayouts_EverySampleOncePerEpochAndRangesMatchSingles()
    {
        var random = new Random(20261202);
        for (int trial = 0; trial < 60; trial++)
        {
            int[] counts = [.. Enumerable.Range(0, random.Next(1, 90)).Select(_ => random.Next(1, random.Next(2, 200)))];
            ChunkIndex layout = ChunkIndex.FromCounts(counts, counts.Sum() * 100L);
            var shape = new WindowShape(random.Next(1, 6), random.Next(1, 40), random.Next(1, 7));
            int partitions = random.Next(1, Math.Min(7, counts.Length) + 1);
            int block = random.Next(1, 70);
            var order = new EpochOrder(layout, SampleOrder.Window, (ulong)trial, trial % 3, partitions, shape, block);
            string where = $"trial {trial}: {counts.Length} chunks, {shape}, {partitions} partitions, block {block}";

            long n = layout.SampleCount;
            long[] whole = new long[n];
            int[] chunks = new int[n];
            order.Fill(0, whole, chunks);
            CollectionAssert.AreEquivalent(Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray(), whole, $"{where}: the epoch is a permutation");
            CollectionAssert.AreEqual(whole.Select(layout.ChunkOf).ToArray(), chunks, $"{where}: the chunks named");

            for (int k = 0; k < 20; k++)
            {
                int position = random.Next((int)n);
                long[] range = new long[random.Next(1 + (int)Math.Min(n - position, 300))];
                order.Fill(position, range);
                CollectionAssert.AreEqual(whole[position..(position + range.Length)], range, $"{where}: Fill({position}, {range.Length})");
            }

            // A chunk is read only between its first and last use, which lie within a group's span in every partition
            // (what the scatter planner's slot count rests on).
            long span = partitions * (((long)shape.GroupChunks * layout.MaxChunkSamples) + block);
            long[] firstRead = [.. Enumerable.Repeat(long.MaxValue, layout.ChunkCount)];
            long[] lastRead = new long[layout.ChunkCount];
            for (int p = 0; p < n; p++)
            {
                firstRead[chunks[p]] = Math.Min(firstRead[chunks[p]], p);
                lastRead[chunks[p]] = p;
            }

            for (int c = 0; c < layout.ChunkCount; c++)
            {
                long first = order.FirstUse(c);
                long last = order.LastUse(c);
                Assert.IsLessThanOrEqualTo(firstRead[c], first, $"{where}: chunk {c} read before its first use");
                Assert.IsGreaterThanOrEqualTo(lastRead[c], last, $"{where}: chunk {c} read after its last use");
                Assert.IsLessThanOrEqualTo(span, last - first + 1, $"{where}: chunk {c}'s uses span");
            }
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(8)]
    public void Fill_WorldSizesAndResumes_DeliverEverySampleOnceInTheSameGlobalOrder(int worldSize)
    {
        (ChunkIndex layout, _) = ClassSorted(30, 333, 2000);
        const int Batch = 16;
        var order = new EpochOrder(layout, SampleOrder.Window, 17, 1, 4, 3, Batch);
        long[] global = Whole(order);
        var random = new Random(worldSize);
        for (int trial = 0; trial < 5; trial++)
        {
            // Run with one world size up to a step boundary, resume from there with another.
            int before = random.Next(1, 9);
            long steps = layout.SampleCount / ((long)before * Batch);
            long resumeAt = random.NextInt64(steps + 1) * before * Batch;
            var delivered = new List<(long Position, long Sample)>();
            for (int rank = 0; rank < before; rank++)
            {
                Collect(new RankSchedule(layout.SampleCount, Batch, rank, before, false, 1, 0, 2), stopAt: resumeAt);
            }

            for (int rank = 0; rank < worldSize; rank++)
            {
                Collect(new RankSchedule(layout.SampleCount, Batch, rank, worldSize, false, 1, resumeAt, 2), stopAt: long.MaxValue);
            }

            Assert.HasCount((int)layout.SampleCount, delivered, $"trial {trial}: samples delivered");
            foreach ((long position, long sample) in delivered)
            {
                Assert.AreEqual(global[position], sample, $"trial {trial}: position {position}");
            }

            Assert.HasCount((int)layout.SampleCount, delivered.Select(d => d.Position).Distinct(), $"trial {trial}: positions delivered once");

            void Collect(RankSchedule schedule, long stopAt)
            {
                for (long k = 0; schedule.TryGet(k, out BatchPlan plan) && plan.Start < stopAt; k++)
                {
                    long[] samples = new long[plan.Count];
                    order.Fill(plan.Start, samples);
                    delivered.AddRange(samples.Select((s, i) => (plan.Start + i, s)));
                }
            }
        }
    }

    [TestMethod]
    public void Fill_SameInputs_WindowOrderIsAPureFunctionOfItsShape()
    {
        (ChunkIndex layout, _) = ClassSorted(20, 500, 500, chunkSamples: 50);
        long[] a = Whole(new EpochOrder(layout, SampleOrder.Window, 3, 0, 2, new WindowShape(4, 10, 5), 32));
        long[] b = Whole(new EpochOrder(layout, SampleOrder.Window, 3, 0, 2, new WindowShape(4, 10, 5), 32));
        long[] otherPieces = Whole(new EpochOrder(layout, SampleOrder.Window, 3, 0, 2, new WindowShape(4, 11, 5), 32));
        long[] otherSpread = Whole(new EpochOrder(layout, SampleOrder.Window, 3, 0, 2, new WindowShape(4, 10, 4), 32));

        CollectionAssert.AreEqual(a, b);
        Assert.IsGreaterThan(a.Length / 2, a.Zip(otherPieces).Count(p => p.First != p.Second), "positions changed by the piece size");
        Assert.IsGreaterThan(a.Length / 2, a.Zip(otherSpread).Count(p => p.First != p.Second), "positions changed by the spread");
    }

    [TestMethod]
    [DataRow(100, 655, 8, 8)]
    [DataRow(16 * 1024, 4, 8, 8)]
    [DataRow(200 * 1024, 1, 8, 8)]
    [DataRow(1 << 20, 1, 8, 4)]
    [DataRow(16 * 1024, 4, 2, 16)]
    [DataRow(16 * 1024, 4, 32, 2)]
    [DataRow(16 * 1024, 4, 128, 1)]
    public void For_AutomaticShape_PiecesOfAbout64KiBSpreadOverAtMost16WindowsAndGroupsOfAtMost256MiB(int sampleBytes, int piece, int windowChunks, int spread)
    {
        // 4 MiB chunks: a group of W x K chunks holds at most 256 MiB, so K <= 64 / W.
        (ChunkIndex layout, _) = ClassSorted(4, Math.Max(2, (8 << 20) / sampleBytes), sampleBytes);

        WindowShape shape = WindowShape.For(layout, windowChunks, pieceSamples: 0);

        Assert.AreEqual(new WindowShape(windowChunks, piece, spread), shape);
        Assert.IsTrue(spread == 1 || (long)shape.GroupChunks * (layout.TotalRawBytes / layout.ChunkCount) <= WindowShape.MaxAutomaticGroupBytes, "a group within 256 MiB unless a window alone is larger");
        Assert.AreEqual(1, WindowShape.For(layout, windowChunks).Spread, "without pieces asked for, windows are whole chunks");
    }

    [TestMethod]
    [DataRow(5L, 5L, 8)]
    [DataRow(1L, 5L, 1)]
    [DataRow(1L, 2L, 4)]
    [DataRow(0L, 5L, 1)]
    public void For_MixtureStream_AutomaticGroupIsItsShareOf256MiB(long count, long epoch, int spread)
    {
        // 16 KiB samples in 4 MiB chunks: alone, K = 8 (64 chunks of 4 MiB = 256 MiB).
        (ChunkIndex layout, _) = ClassSorted(4, 512, 16 * 1024);

        long groupBytes = MixtureLayout.StreamGroupBytes(count, epoch);
        WindowShape shape = WindowShape.For(layout, 8, pieceSamples: 0, groupBytes: groupBytes);

        Assert.AreEqual(spread, shape.Spread);
        Assert.AreEqual(WindowShape.MaxAutomaticGroupBytes, MixtureLayout.StreamGroupBytes(3, 0), "no epoch: a dataset's bound");
    }

    private static OrderFigures Figures(ChunkIndex layout, SampleOrder order, Func<long, long> label, WindowShape shape)
    {
        var epochOrder = new EpochOrder(layout, order, 42, 0, 1, shape, 256);
        var schedule = new RankSchedule(layout.SampleCount, 256, 0, 1, true, 0, 0, 1);
        return OrderStatistics.Measure(layout, Batches(epochOrder, schedule), label);

        static IEnumerable<long[]> Batches(EpochOrder order, RankSchedule schedule)
        {
            for (long k = 0; schedule.TryGet(k, out BatchPlan plan); k++)
            {
                long[] samples = new long[plan.Count];
                order.Fill(plan.Start, samples);
                yield return samples;
            }
        }
    }

    // Classes of `perClass` samples of `sampleBytes`, one after another, in chunks of 4 MiB (or `chunkSamples`).
    private static (ChunkIndex Layout, Func<long, long> Label) ClassSorted(int classes, int perClass, int sampleBytes, int chunkSamples = 0)
    {
        long samples = (long)classes * perClass;
        int perChunk = chunkSamples > 0 ? chunkSamples : Math.Max(1, ChunkBytes / sampleBytes);
        int[] counts = [.. Enumerable.Range(0, (int)((samples + perChunk - 1) / perChunk)).Select(c => (int)Math.Min(perChunk, samples - ((long)c * perChunk)))];
        return (ChunkIndex.FromCounts(counts, samples * sampleBytes), s => s / perClass);
    }
}
