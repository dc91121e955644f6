using Microsoft.Win32.SafeHandles;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    // Enough chunks that a change after the first batch always lands on chunks the loader has not read yet.
    private const int ChangedSamples = 3000;

    public static IEnumerable<object[]> ShardChangeCases =>
        from order in new[] { SampleOrder.Sequential, SampleOrder.Window, SampleOrder.Random }
        from codec in new[] { CodecKind.None, CodecKind.Lz4 }
        from change in new[] { ShardChange.Truncate, ShardChange.Rewrite }
        from checksums in new[] { ChecksumPolicy.FirstTouch, ChecksumPolicy.Always }
        select new object[] { order, codec, change, checksums };

    public enum ShardChange
    {
        /// <summary>Every shard cut to half its length.</summary>
        Truncate,

        /// <summary>Every shard's bytes overwritten in place with other bytes, length unchanged.</summary>
        Rewrite,
    }

    [TestMethod]
    [DynamicData(nameof(ShardChangeCases))]
    public void NextBatch_ShardsChangedByAnotherWriterWhileLoading_ThrowsInvalidDataAfterIntactBatches(SampleOrder order, CodecKind codec, ShardChange change, ChecksumPolicy checksums) =>
        AssertShardChangesFailAfterIntactBatches(TestData.ReadOptions(checksums), order, codec, change);

    // Every batch handed out before the change is intact (values checked); the first that needs a changed chunk fails,
    // naming the shard.
    private static void AssertShardChangesFailAfterIntactBatches(ShardDatasetOptions readOptions, SampleOrder order, CodecKind codec, ShardChange change)
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, ChangedSamples, codec);
        using ShardDataset ds = ShardDataset.Open(path, readOptions);
        ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(order, CoverageBatch) with { Epochs = 2 });
        using (loader)
        {
            LoaderHarness.Drain(loader, limit: 1);
            for (int s = 0; s < ds.Shards.Count; s++)
            {
                ChangeShard(ShardCorruptor.ShardPath(path, s), change);
            }

            InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => LoaderHarness.Drain(loader));
            StringAssert.Contains(Path.GetFileName((string)e.Data[DataErrors.FileKey]!), "shard-");
            // A read names the chunk too; reopening a shard file that was closed meanwhile fails before any chunk.
            Assert.IsNotNull(e.Data[DataErrors.ShardKey], "the error names the shard");
        }

        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    [DataRow(SampleOrder.Sequential, CodecKind.None)]
    [DataRow(SampleOrder.Window, CodecKind.None)]
    [DataRow(SampleOrder.Random, CodecKind.None)]
    [DataRow(SampleOrder.Window, CodecKind.Lz4)]
    public void NextBatch_VerifiedChunksRewrittenInPlaceUnderFirstTouch_ThrowsInvalidData(SampleOrder order, CodecKind codec)
    {
        using var dir = new TempDirectory();
        // Fixed-width fields only: no offsets whose layout check could notice the new bytes by chance.
        string path = WriteFixed(dir.Combine("ds"), ChangedSamples, codec);
        // Every shard stays mapped and open, so nothing is reopened (a reopen checks the file's identity anyway).
        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions
        {
            Codecs = NativeCodecs.Provider,
            Checksums = ChecksumPolicy.FirstTouch,
            MaxMappedShards = 100_000,
        });
        using (ShardLoader first = ShardLoader.Create(ds, LoaderHarness.Options(order, CoverageBatch) with { Epochs = 1 }))
        {
            // A whole epoch: every chunk is verified once and never checksummed again under this policy.
            LoaderHarness.Drain(first, checkValues: false);
        }

        for (int s = 0; s < ds.Shards.Count; s++)
        {
            ChangeShard(ShardCorruptor.ShardPath(path, s), ShardChange.Rewrite);
        }

        ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(order, CoverageBatch) with { Epochs = 1 });
        using (loader)
        {
            InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => LoaderHarness.Drain(loader, checkValues: false));
            StringAssert.Contains(e.Message, "modified while open");
        }

        LoaderHarness.AssertReleased(loader, ds);
    }

    // As another program would: no share lock, so the loader's open handles do not stop it.
    private static void ChangeShard(string shardPath, ShardChange change)
    {
        using SafeFileHandle handle = File.OpenHandle(shardPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        long length = RandomAccess.GetLength(handle);
        if (change == ShardChange.Truncate)
        {
            RandomAccess.SetLength(handle, length / 2);
            return;
        }

        byte[] other = new byte[length];
        Array.Fill(other, (byte)0x5A);
        RandomAccess.Write(handle, other, 0);
    }
}
