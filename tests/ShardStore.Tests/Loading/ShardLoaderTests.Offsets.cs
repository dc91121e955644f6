using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void NextBatch_VariableOffsetsMadeInconsistentAfterTheChunkWasVerified_ThrowsInvalidDataNamingShardAndChunk(bool zeroCopy)
    {
        const int Chunk = 0;
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, MixedSamples, CodecKind.None);
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(ChecksumPolicy.FirstTouch));

        // Mid-dataset: past the batches of the next epoch prefetched meanwhile, before the chunks still cached at the end of this one.
        int shard = ds.Shards.Count / 2;
        ShardLoaderOptions options = zeroCopy
            ? LoaderHarness.Options(SampleOrder.Sequential, ZeroCopyBatch) with { ZeroCopy = true, Epochs = 2 }
            : LoaderHarness.Options(SampleOrder.Sequential, CoverageBatch) with { Epochs = 2 };
        ShardLoader loader = ShardLoader.Create(ds, options);
        using (loader)
        {
            // The first epoch verifies every chunk; under FirstTouch its checksum is not checked again.
            LoaderHarness.Drain(loader, limit: (int)loader.BatchesPerEpoch);
            BreakOffsets(path, ds.Schema, shard, Chunk);

            InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => LoaderHarness.Drain(loader));
            ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, Chunk);
        }

        LoaderHarness.AssertReleased(loader, ds);
    }

    // Sets the end offset of the chunk's first sample of the variable field far past the chunk's values, in place,
    // as another writer would (the CRC no longer matches, which only a check on every read would see).
    private static void BreakOffsets(string path, Schema schema, int shard, int chunk)
    {
        ChunkEntry entry = ShardCorruptor.ReadTable(path, shard).Entries[chunk];
        byte[] raw = ShardCorruptor.ReadRawChunk(path, shard, chunk);
        var sections = new FieldSection[schema.Count];
        Assert.IsNull(ChunkLayout.TryParse(schema, entry.SampleCount, raw, sections));
        int field = schema.GetIndex("tokens");
        byte[] bad = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bad, 1_000_000);
        using SafeFileHandle handle = File.OpenHandle(ShardCorruptor.ShardPath(path, shard), FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.Write(handle, bad, entry.Offset + sections[field].OffsetsOffset + sizeof(long));
    }
}
