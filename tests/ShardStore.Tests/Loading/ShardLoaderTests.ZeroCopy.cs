using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

/// <summary>
/// ZeroCopy: a batch of consecutive samples inside one uncompressed chunk is handed out over the shard mapping.
/// It must hold exactly what a copied batch holds, keep its bytes valid until disposed, and leave nothing behind
/// (a corrupt chunk under ZeroCopy is a case of NextBatch_CorruptChunk_DeliversEarlierBatchesThenThrowsNamingShardAndChunk).
/// </summary>
public sealed partial class ShardLoaderTests
{
    private const int ZeroCopyBatch = 4;

    [TestMethod]
    [DataRow(1, 1, false)]
    [DataRow(1, 1, true)]
    [DataRow(3, 1, false)]
    [DataRow(2, 4, true)]
    public void NextBatch_ZeroCopySequentialNone_SameBatchesAsCopiedAndMapsEveryBatchInsideAChunk(int worldSize, int partitions, bool dropLast)
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, MixedSamples), TestData.ReadOptions());
        for (int rank = 0; rank < worldSize; rank++)
        {
            ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Sequential, ZeroCopyBatch) with
            {
                WorldSize = worldSize,
                Rank = rank,
                LogicalPartitions = partitions,
                DropLast = dropLast,
                Epochs = 2,
            };

            List<BatchRecord> copied = LoaderHarness.Run(ds, options);
            var mapped = new List<BatchRecord>();
            long mappedCount = 0;
            ShardLoader loader = ShardLoader.Create(ds, options with { ZeroCopy = true });
            using (loader)
            {
                while (loader.NextBatch() is { } batch)
                {
                    using (batch)
                    {
                        Assert.AreEqual(InsideOneChunk(ds, batch.SampleIndices.ToArray()), batch.IsZeroCopy, $"{LoaderHarness.Describe(batch)}: mapped");
                        mappedCount += batch.IsZeroCopy ? 1 : 0;
                        mapped.Add(LoaderHarness.Record(batch));
                    }
                }

                Assert.AreEqual(mappedCount, loader.Statistics.ZeroCopyBatches, "ZeroCopyBatches");
            }

            LoaderHarness.AssertReleased(loader, ds);
            LoaderHarness.AssertSameBatches(copied, mapped, $"rank {rank}, zero-copy vs copied:");
            Assert.IsGreaterThan(copied.Count / 2, (int)mappedCount, $"rank {rank}: most batches of {ZeroCopyBatch} lie inside one chunk");
        }
    }

    [TestMethod]
    public void NextBatch_ZeroCopyOverCompressedChunks_CopiesEveryBatch()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, MixedSamples, CodecKind.Lz4), TestData.ReadOptions());
        ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(SampleOrder.Sequential, ZeroCopyBatch) with { ZeroCopy = true });
        using (loader)
        {
            while (loader.NextBatch() is { } batch)
            {
                using (batch)
                {
                    Assert.IsFalse(batch.IsZeroCopy, "a batch of compressed chunks is decoded, not mapped");
                    LoaderHarness.AssertMixedValues(batch);
                }
            }

            Assert.AreEqual(0L, loader.Statistics.ZeroCopyBatches);
        }

        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    public void NextBatch_ZeroCopyBatchesHeldPastLaterBatchesAndTheLoader_KeepTheirBytesUntilDisposed()
    {
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(LoaderHarness.WriteMixed(dir, MixedSamples), TestData.ReadOptions());
        ShardLoaderOptions options = LoaderHarness.Options(SampleOrder.Sequential, ZeroCopyBatch) with { ZeroCopy = true };
        ShardLoader loader = ShardLoader.Create(ds, options);
        var held = new List<Batch>();
        using (loader)
        {
            // Hold as many batches as the loader lets a consumer hold, spanning several chunks.
            while (held.Count < options.PrefetchDepth && loader.NextBatch() is { } batch)
            {
                held.Add(batch);
            }

            Assert.IsTrue(held.Any(b => b.IsZeroCopy), "some held batches are mapped");
            foreach (Batch b in held)
            {
                LoaderHarness.AssertMixedValues(b);
            }
        }

        // The loader is gone; the held batches still own their leases and slots.
        foreach (Batch b in held)
        {
            LoaderHarness.AssertMixedValues(b);
            b.Dispose();
            b.Dispose();
        }

        LoaderHarness.AssertReleased(loader, ds);
    }

    // Whether the samples are consecutive and all in one chunk: what makes a batch mappable.
    private static bool InsideOneChunk(ShardDataset ds, long[] samples)
    {
        if (samples.Length == 0 || samples.Where((s, i) => s != samples[0] + i).Any())
        {
            return false;
        }

        (int shard, int chunk, _) = ds.Locate(samples[0]);
        (int lastShard, int lastChunk, _) = ds.Locate(samples[^1]);
        return shard == lastShard && chunk == lastChunk;
    }
}
