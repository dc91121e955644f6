using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Integrity;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>
/// Shards whose table declares sizes or counts beyond what a reader accepts (docs/FORMAT.md, "Bounds a reader
/// enforces"): open refuses them before it reads or allocates what they declare. The files are sparse, so a
/// declared 2 GiB costs a few kilobytes of disk.
/// </summary>
[TestClass]
public sealed class ShardDatasetBoundsTests
{
    [TestMethod]
    [DataRow(CodecKind.Lz4, (long)int.MaxValue + 1)]
    [DataRow(CodecKind.Lz4, 3L << 30)]
    [DataRow(CodecKind.Zstd, (long)int.MaxValue + 1)]
    public void Open_StoredSizeAboveTwoGiB_ThrowsNamingShardAndChunk(CodecKind codec, long storedSize)
    {
        using var dir = new TempDirectory();
        string path = WriteOneChunk(dir, codec);
        ChunkEntry entry = ShardCorruptor.ReadTable(path, 0).Entries[0];
        Assert.AreEqual(codec, entry.Codec);
        RebuildTail(path, [entry with { StoredSize = storedSize }], FormatConstants.AlignUp(entry.Offset + storedSize, FormatConstants.TableAlignment));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0, 0);
        Assert.Contains("stored size", e.Message);
    }

    [TestMethod]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public void Open_CompressedChunkNotSmallerThanRaw_ThrowsNamingShardAndChunk(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = WriteOneChunk(dir, codec);
        ChunkEntry entry = ShardCorruptor.ReadTable(path, 0).Entries[0];
        long table = ShardCorruptor.ReadTable(path, 0).Footer.TableOffset;
        RebuildTail(path, [entry with { StoredSize = entry.RawSize }], Math.Max(table, FormatConstants.AlignUp(entry.Offset + entry.RawSize, FormatConstants.TableAlignment)));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0, 0);
        Assert.Contains("not smaller than its raw size", e.Message);
    }

    [TestMethod]
    public void Open_FooterDeclaresFortyFourMillionChunks_ThrowsBeforeReadingTheTable()
    {
        using var dir = new TempDirectory();
        string path = WriteOneChunk(dir, CodecKind.None);
        string shard = ShardCorruptor.ShardPath(path, 0);
        const long Chunks = 44_000_000;
        long tableOffset = FormatConstants.FirstChunkOffset;
        long length = tableOffset + (Chunks * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize;
        byte[] footer = new byte[FormatConstants.FooterSize];
        new ShardFooter(tableOffset, Chunks, 0).Write(footer);
        using (var stream = new FileStream(shard, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(length);
            stream.Position = length - FormatConstants.FooterSize;
            stream.Write(footer);
        }

        ShardCorruptor.RewriteManifest(path, m => ShardCorruptor.WithShard(m, 0, s => s with { FileBytes = length }));

        long before = GC.GetAllocatedBytesForCurrentThread();
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("44000000", e.Message);
        Assert.IsLessThan(16L << 20, allocated, "open allocated what the footer declared");
    }

    [TestMethod]
    public void Open_ManifestAboveSixtyFourMiB_ThrowsNamingManifest()
    {
        using var dir = new TempDirectory();
        string path = WriteOneChunk(dir, CodecKind.None);
        using (var stream = new FileStream(ShardCorruptor.ManifestPath(path), FileMode.Open, FileAccess.Write))
        {
            stream.SetLength((64L << 20) + 1);
        }

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        Assert.Contains(FormatConstants.ManifestFileName, e.Message);
        Assert.Contains("67108864", e.Message);
    }

    // One shard with one chunk of 40 samples of a fixed-shape schema that compresses well.
    private static string WriteOneChunk(TempDirectory dir, CodecKind codec)
    {
        string path = dir.Combine("ds");
        var schema = new Schema(FieldSpec.Fixed("v", DType.I64, 8));
        using DatasetWriter w = DatasetWriter.Create(path, schema, new DatasetWriterOptions { Codec = codec, Codecs = NativeCodecs.Provider, ChunkTargetBytes = 1 << 20 });
        for (long i = 0; i < 40; i++)
        {
            w.Write<long>(0, [i, i, i, i, 0, 0, 0, 0]);
            w.EndSample();
        }

        w.Complete();
        return path;
    }

    // Rewrites shard 0 from the end of its chunks on: table at tableOffset (the file grows sparse), footer, and the manifest to match.
    private static void RebuildTail(string path, ChunkEntry[] entries, long tableOffset)
    {
        string shard = ShardCorruptor.ShardPath(path, 0);
        byte[] tail = new byte[(entries.Length * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i].Write(tail.AsSpan(i * FormatConstants.ChunkEntrySize));
        }

        int tableLength = entries.Length * FormatConstants.ChunkEntrySize;
        uint tableCrc = Crc32C.Compute(tail.AsSpan(0, tableLength));
        new ShardFooter(tableOffset, entries.Length, tableCrc).Write(tail.AsSpan(tableLength));
        long end = entries.Max(e => e.Offset + Math.Min(e.StoredSize, e.RawSize));
        long length = tableOffset + tail.Length;
        using (var stream = new FileStream(shard, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.SetLength(Math.Min(stream.Length, FormatConstants.AlignUp(end, FormatConstants.ChunkAlignment)));
            stream.SetLength(length);
            stream.Position = tableOffset;
            stream.Write(tail);
        }

        long stored = entries.Sum(e => e.StoredSize);
        ShardCorruptor.RewriteManifest(path, m => ShardCorruptor.WithShard(m, 0, s => s with { FileBytes = length, StoredBytes = stored, TableCrc32C = tableCrc }));
    }
}
