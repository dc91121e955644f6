using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    [TestMethod]
    [DataRow(CodecKind.None, SampleOrder.Sequential)]
    [DataRow(CodecKind.Lz4, SampleOrder.Sequential)]
    [DataRow(CodecKind.None, SampleOrder.Window)]
    [DataRow(CodecKind.Lz4, SampleOrder.Window)]
    [DataRow(CodecKind.Lz4, SampleOrder.Random)]
    [DataRow(CodecKind.None, SampleOrder.Sequential, true)]
    public void NextBatch_CorruptChunk_DeliversEarlierBatchesThenThrowsNamingShardAndChunk(CodecKind codec, SampleOrder order, bool zeroCopy = false)
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, MixedSamples, codec);
        ShardLoaderOptions options = zeroCopy
            ? LoaderHarness.Options(order, ZeroCopyBatch) with { ZeroCopy = true }
            : LoaderHarness.Options(order, CoverageBatch);
        (int shard, int chunk, int firstBad, List<BatchRecord> intact) = CorruptMidEpochChunk(path, codec, options);

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        ShardLoader loader = ShardLoader.Create(ds, options);
        using (loader)
        {
            List<BatchRecord> before = LoaderHarness.Drain(loader, limit: firstBad);
            LoaderHarness.AssertSameBatches(intact[..firstBad], before, "before the corrupt chunk:");

            InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => loader.NextBatch());
            ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);

            // The loader has stopped: every later call reports the same problem.
            InvalidDataException again = Assert.ThrowsExactly<InvalidDataException>(() => loader.NextBatch());
            ShardCorruptor.AssertLocated(again, ShardCorruptor.ShardFileName(shard), shard, chunk);
        }

        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    public async Task ReadAsync_CorruptChunk_StreamsEarlierBatchesThenThrowsNamingShardAndChunk()
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, MixedSamples, CodecKind.Lz4);
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, CoverageBatch) with { WorldSize = 2, Rank = 1, LogicalPartitions = 4 };
        (int shard, int chunk, int firstBad, List<BatchRecord> intact) = CorruptMidEpochChunk(path, CodecKind.Lz4, options);

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        var before = new List<BatchRecord>();
        ShardLoader loader = ShardLoader.Create(ds, options);
        await using (loader)
        {
            InvalidDataException e = await Assert.ThrowsExactlyAsync<InvalidDataException>(async () =>
            {
                await foreach (Batch batch in loader.ReadAllAsync())
                {
                    using (batch)
                    {
                        before.Add(LoaderHarness.Record(batch));
                    }
                }
            });
            ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
        }

        LoaderHarness.AssertSameBatches(intact[..firstBad], before, "before the corrupt chunk:");
        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    public void Create_StateFromAnotherDataset_ThrowsArgumentException()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, SmallBatch);
        LoaderState state;
        using (ShardLoader loader = ShardLoader.Create(Small, options))
        {
            loader.NextBatch()?.Dispose();
            state = loader.GetState();
        }

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Mixed, options with { ResumeFrom = state }));
        Assert.Contains(Small.Fingerprint, e.Message);
        Assert.Contains(Mixed.Fingerprint, e.Message);
    }

    [TestMethod]
    [DataRow("Seed")]
    [DataRow("Order")]
    [DataRow("BatchSize")]
    [DataRow("WindowChunks")]
    [DataRow("WindowPieceSamples")]
    [DataRow("LogicalPartitions")]
    [DataRow("DropLast")]
    public void Create_StateTakenWithOtherOrderOptions_ThrowsArgumentException(string option)
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, SmallBatch) with { LogicalPartitions = 2 };
        LoaderState state = StateAfter(Small, options, batches: 2);
        ShardLoaderOptions changed = option switch
        {
            "Seed" => options with { Seed = options.Seed + 1 },
            "Order" => options with { Order = SampleOrder.Random },
            "BatchSize" => options with { BatchSize = SmallBatch * 2 },
            "WindowChunks" => options with { WindowChunks = options.WindowChunks + 1 },
            "WindowPieceSamples" => options with { WindowPieceSamples = 3 },
            "LogicalPartitions" => options with { LogicalPartitions = 4 },
            "DropLast" => options with { DropLast = true },
            _ => throw new ArgumentOutOfRangeException(nameof(option)),
        };

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Small, changed with { ResumeFrom = state }));
        Assert.Contains(option, e.Message);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void Create_StateOfAnotherWindowOrderVersion_ThrowsArgumentExceptionNamingBoth(int version)
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, SmallBatch);
        Assert.AreEqual(0, options.WindowPieceSamples, "pieces chosen from the sample size are the default");
        LoaderState state = StateAfter(Small, options, batches: 2);
        Assert.AreEqual(3, state.OrderVersion, "the version a Window state with pieces records");
        Assert.AreEqual(1, StateAfter(Small, options with { WindowPieceSamples = null }, batches: 2).OrderVersion, "whole-chunk windows are the first version's order");

        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Small, options with { ResumeFrom = state with { OrderVersion = version } }));

        Assert.Contains($"version {version} of the Window order function", e.Message);
        Assert.Contains("computes version 3", e.Message);
    }

    [TestMethod]
    public void Create_SequentialStateSavedBeforeOrderVersions_Resumes()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Sequential, SmallBatch);
        LoaderState state = StateAfter(Small, options, batches: 2);
        string text = System.Text.Encoding.UTF8.GetString(state.ToBytes()).Replace(",\"orderVersion\":1", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("orderVersion", text, "a state as saved before versions were recorded");
        LoaderState old = LoaderState.FromBytes(System.Text.Encoding.UTF8.GetBytes(text));

        using ShardLoader loader = ShardLoader.Create(Small, options with { ResumeFrom = old });

        Assert.AreEqual(1, old.OrderVersion);
        Assert.AreEqual(state.Position, loader.GetState().Position);
    }

    [TestMethod]
    public void Create_StateWithOtherRanksThreadsAndBudget_ResumesTheSameGlobalOrder()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Random, SmallBatch) with { WorldSize = 2, LogicalPartitions = 2 };
        LoaderState state = StateAfter(Small, options, batches: 3);
        List<BatchRecord> uninterrupted = LoaderHarness.Run(Small, options with { WorldSize = 1 });

        List<BatchRecord> rest = LoaderHarness.Run(Small, options with
        {
            WorldSize = 1,
            Rank = 0,
            DecodeWorkers = 1,
            PrefetchDepth = 6,
            MemoryBudgetBytes = 32 << 20,
            ReleaseConsumedPages = false,
            ResumeFrom = state,
        });

        // Three steps of two ranks handed out the first six batches of the global order.
        CollectionAssert.AreEqual(LoaderHarness.Samples(uninterrupted.Skip(6)), LoaderHarness.Samples(rest));
    }

    [TestMethod]
    public void Create_StatePositionPastTheDataset_ThrowsArgumentException()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Sequential, SmallBatch);
        LoaderState state = StateAfter(Small, options, batches: 1) with { Position = SmallSamples + 1 };

        Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Small, options with { ResumeFrom = state }));
    }

    [TestMethod]
    public void Create_EndlessRunThatMakesNoBatch_ThrowsArgumentException()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, 64) with { WorldSize = 3, DropLast = true, Epochs = null };

        Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(Small, options));
    }

    [TestMethod]
    public void Create_MorePartitionsThanChunks_ThrowsArgumentOutOfRangeException()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, SmallBatch) with { LogicalPartitions = (int)Small.ChunkCount + 1 };

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ShardLoader.Create(Small, options));
    }

    [TestMethod]
    public void NextBatch_ConsumerHoldsEverySlot_ThrowsInvalidOperationExceptionUntilOneIsDisposed()
    {
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Window, SmallBatch) with { PrefetchDepth = 2 };
        List<BatchRecord> expected = LoaderHarness.Run(Small, options);
        ShardLoader loader = ShardLoader.Create(Small, options);
        var held = new List<Batch>();
        using (loader)
        {
            Assert.AreEqual(3, loader.SlotCount);
            for (int i = 0; i < loader.SlotCount; i++)
            {
                held.Add(loader.NextBatch() ?? throw new AssertFailedException($"batch {i} missing"));
                CollectionAssert.AreEqual(expected[i].Samples, held[i].SampleIndices.ToArray(), $"batch {i}");
            }

            InvalidOperationException e = Assert.ThrowsExactly<InvalidOperationException>(() => loader.NextBatch());
            Assert.Contains("dispose", e.Message);

            // Handing one slot back lets the stream go on where it stopped.
            held[0].Dispose();
            using (Batch next = loader.NextBatch() ?? throw new AssertFailedException("no batch after a slot was handed back"))
            {
                Assert.AreEqual(expected[3].Position, next.Position);
                CollectionAssert.AreEqual(expected[3].Samples, next.SampleIndices.ToArray());
                LoaderHarness.AssertMixedValues(next);
            }
        }

        foreach (Batch b in held)
        {
            b.Dispose();
        }

        LoaderHarness.AssertReleased(loader, Small);
    }

    private static LoaderState StateAfter(ShardDataset ds, ShardLoaderOptions options, int batches)
    {
        using ShardLoader loader = ShardLoader.Create(ds, options);
        Assert.HasCount(batches, LoaderHarness.Drain(loader, limit: batches));
        return loader.GetState();
    }

    /// <summary>
    /// Flips a bit in the stored bytes of the chunk (with the given codec) that the order first needs about half
    /// way through the epoch; returns it, the index of the first batch that needs it, and the intact run's batches.
    /// </summary>
    private static (int Shard, int Chunk, int FirstBadBatch, List<BatchRecord> Intact) CorruptMidEpochChunk(string path, CodecKind codec, ShardLoaderOptions options, bool checkValues = true)
    {
        List<BatchRecord> intact;
        var candidates = new List<(int Shard, int Chunk, ChunkEntry Entry, long First)>();
        using (ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions()))
        {
            intact = LoaderHarness.Run(ds, options, checkValues);
            for (int s = 0; s < ds.Shards.Count; s++)
            {
                ChunkEntry[] entries = ShardCorruptor.ReadTable(path, s).Entries;
                for (int c = 0; c < entries.Length; c++)
                {
                    if (entries[c].Codec == codec)
                    {
                        candidates.Add((s, c, entries[c], ds.Shards[s].FirstSample + entries[c].FirstSample));
                    }
                }
            }
        }

        int FirstUse(long first, long count) => intact.FindIndex(b => b.Samples.Any(x => x >= first && x < first + count));
        (int shard, int chunk, ChunkEntry entry, long firstSample) = candidates
            .Where(c => FirstUse(c.First, c.Entry.SampleCount) >= 0)
            .OrderBy(c => Math.Abs(FirstUse(c.First, c.Entry.SampleCount) - (intact.Count / 2)))
            .First();
        int firstBad = FirstUse(firstSample, entry.SampleCount);
        Assert.IsGreaterThan(2, firstBad, "batches before the corrupt chunk");
        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, shard), entry.Offset + (entry.StoredSize / 2), 3);
        return (shard, chunk, firstBad, intact);
    }
}
