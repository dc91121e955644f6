using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>
/// Damaged shard files: every case must end in exactly <see cref="InvalidDataException"/> naming the shard
/// (and the chunk, where there is one), never in a crash, a hang, a huge allocation or a wrong sample.
/// Table damage is tried both as is (the table CRC catches it) and re-signed (every checksum recomputed, so
/// that only the structural check behind it can catch it).
/// </summary>
[TestClass]
public sealed class ShardDatasetCorruptionTests
{
    private const int Samples = 300;

    // -------- 1. Bit flips in chunk data --------

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public void ReadChunk_BitFlipInStoredBytes_ThrowsNamingShardAndChunk(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, codec);
        (int shard, int chunk, ChunkEntry entry) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && c >= 1 && e.Codec == codec);
        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, shard), entry.Offset + (entry.StoredSize / 2), 3);

        // Open is O(shards): it checks tables, never chunk bytes, so it succeeds.
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(shard, chunk));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
        Assert.Contains("CRC32C mismatch", e.Message);

        long lastSample = ds.Shards[shard].FirstSample + entry.FirstSample + entry.SampleCount - 1;
        e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadSample(lastSample));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);

        int read = AssertSamplesOutsideChunk(ds, shard, chunk);
        Assert.AreEqual(Samples - entry.SampleCount, read);
        Assert.AreEqual(0, ds.LiveLeases);
    }

    [TestMethod]
    public void ReadChunk_AlwaysPolicyFlipAfterChunkWasRead_ThrowsOnNextRead()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ChunkEntry entry = ShardCorruptor.ReadTable(path, 0).Entries[1];
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(ChecksumPolicy.Always));
        using (ChunkLease lease = ds.ReadChunk(0, 1))
        {
            Assert.AreEqual(entry.SampleCount, lease.SampleCount);
        }

        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, 0), entry.Offset + 3, 7);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, 1));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0, 1);
    }

    [TestMethod]
    public void ReadChunk_FirstTouchFlipAfterChunkWasVerified_IsNotRecheckedByDesign()
    {
        // ChecksumPolicy.FirstTouch trusts a chunk after its first verified read: damage that happens to the
        // file later is not seen. This is the documented trade-off of the policy, not a bug.
        using var dir = new TempDirectory();
        string path = Write(dir);
        ChunkEntry entry = ShardCorruptor.ReadTable(path, 0).Entries[1];
        float firstValue = TestData.Features(entry.FirstSample)[0];
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(ChecksumPolicy.FirstTouch));
        using (ChunkLease lease = ds.ReadChunk(0, 1))
        {
            Assert.AreEqual(firstValue, lease.GetFixed<float>(0)[0]);
        }

        // Field x starts the chunk; byte 3 bit 7 is the sign bit of its first float.
        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, 0), entry.Offset + 3, 7);

        using (ChunkLease lease = ds.ReadChunk(0, 1))
        {
            Assert.AreEqual(-firstValue, lease.GetFixed<float>(0)[0], "the damaged value is handed out unchecked under FirstTouch");
        }
    }

    [TestMethod]
    public void ReadChunk_FirstTouchFlipInChunkNeverRead_ThrowsNamingShardAndChunk()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ChunkEntry entry = ShardCorruptor.ReadTable(path, 0).Entries[2];
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(ChecksumPolicy.FirstTouch));
        using (ChunkLease lease = ds.ReadChunk(0, 1))
        {
            Assert.AreEqual(1, lease.Chunk);
        }

        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, 0), entry.Offset + 5, 2);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, 2));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0, 2);
        Assert.Contains("CRC32C mismatch", e.Message);

        // A failed first touch does not mark the chunk verified: it keeps failing.
        e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, 2));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0, 2);
    }

    // -------- 2, 3. Truncated and missing shards --------

    [TestMethod]
    [DataRow("last byte")]
    [DataRow("half")]
    [DataRow("to 100 bytes")]
    [DataRow("to 0 bytes")]
    public void Open_TruncatedShard_ThrowsNamingShard(string cut)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string shardPath = ShardCorruptor.ShardPath(path, 1);
        long length = new FileInfo(shardPath).Length;
        ShardCorruptor.Truncate(shardPath, CutLength(cut, length));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("truncated", e.Message);
    }

    [TestMethod]
    [DataRow("last byte")]
    [DataRow("half")]
    [DataRow("to smallest shard")]
    public void Open_TruncatedShardWithManifestSizeUpdated_ThrowsNamingShard(string cut)
    {
        // The manifest is made to agree with the cut file, so the shard's own structure must reveal the cut.
        using var dir = new TempDirectory();
        string path = Write(dir);
        string shardPath = ShardCorruptor.ShardPath(path, 1);
        long cutLength = CutLength(cut, new FileInfo(shardPath).Length);
        ShardCorruptor.Truncate(shardPath, cutLength);
        ShardCorruptor.RewriteManifest(path, m => ShardCorruptor.WithShard(m, 1, s => s with { FileBytes = cutLength }));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("footer magic missing", e.Message);
    }

    [TestMethod]
    public void Open_ShardFileMissing_ThrowsNamingFile()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        File.Delete(ShardCorruptor.ShardPath(path, 1));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("missing", e.Message);
    }

    [TestMethod]
    public void Open_ShardPathIsDirectory_ThrowsNamingShard()
    {
        // A directory where the shard file should be: the dataset is as incomplete as with the file missing.
        using var dir = new TempDirectory();
        string path = Write(dir);
        File.Delete(ShardCorruptor.ShardPath(path, 1));
        Directory.CreateDirectory(ShardCorruptor.ShardPath(path, 1));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("a directory stands where the shard file should be", e.Message);
    }

    [TestMethod]
    public void ReadChunk_ShardDeletedAfterOpenWhileUnmapped_ThrowsNamingShard()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        using ShardDataset ds = OpenWithOneMappedShard(path);
        File.Delete(ShardCorruptor.ShardPath(path, 0));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, 1));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.AreEqual(0, ds.LiveLeases);
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    public void ReadChunk_ShardTruncatedWhileMapped_ThrowsNamingShardAndChunkInsteadOfCrashing(CodecKind codec)
    {
        // Touching a mapped page past the new end would kill the process (SIGBUS); the read must fail cleanly.
        using var dir = new TempDirectory();
        string path = Write(dir, codec);
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        ds.ReadChunk(0, 0).Dispose();
        int last = ds.GetChunkCount(0) - 1;
        long cut = ShardCorruptor.ReadTable(path, 0).Entries[last].Offset;
        // As another program would: no share lock, so the open mapping does not stop it.
        using (SafeFileHandle handle = File.OpenHandle(ShardCorruptor.ShardPath(path, 0), FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            RandomAccess.SetLength(handle, cut);
        }

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, last));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0, last);
        Assert.Contains("truncated while in use", e.Message);
        Assert.AreEqual(0, ds.LiveLeases);

        // Chunks that still lie inside the file read as before.
        using ChunkLease first = ds.ReadChunk(0, 0);
        Assert.AreEqual(ds.GetEntry(0, 0).SampleCount, first.SampleCount);
    }

    [TestMethod]
    public void ReadChunk_ShardTruncatedAfterOpenWhileUnmapped_ThrowsNamingShard()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        using ShardDataset ds = OpenWithOneMappedShard(path);
        ShardCorruptor.Truncate(ShardCorruptor.ShardPath(path, 0), 5000);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, 1));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("truncated or was replaced", e.Message);
    }

    [TestMethod]
    public void ReadChunk_ShardReplacedAfterOpenWhileUnmapped_ThrowsNamingShard()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        using ShardDataset ds = OpenWithOneMappedShard(path);
        File.Delete(ShardCorruptor.ShardPath(path, 0));
        File.Copy(ShardCorruptor.ShardPath(path, 1), ShardCorruptor.ShardPath(path, 0));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, 1));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
    }

    // -------- 4. Header and footer --------

    [TestMethod]
    public void Open_WrongHeaderMagic_ThrowsNamingShard()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.WriteBytes(ShardCorruptor.ShardPath(path, 0), 1, "PK"u8);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("wrong magic", e.Message);
    }

    [TestMethod]
    public void Open_NewerFormatVersion_ThrowsSayingNewer()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string shardPath = ShardCorruptor.ShardPath(path, 1);
        byte[] version = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(version, 2);
        ShardCorruptor.WriteBytes(shardPath, 8, version);
        ShardCorruptor.ResignHeader(shardPath);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("format version 2 is newer than this reader", e.Message);
    }

    [TestMethod]
    public void Open_FormatVersionZero_ThrowsUnsupportedVersion()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string shardPath = ShardCorruptor.ShardPath(path, 0);
        ShardCorruptor.WriteBytes(shardPath, 8, [0, 0]);
        ShardCorruptor.ResignHeader(shardPath);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("unsupported format version 0", e.Message);
    }

    [TestMethod]
    public void Open_WrongFooterMagic_ThrowsNamingShard()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string shardPath = ShardCorruptor.ShardPath(path, 1);
        ShardCorruptor.FlipBit(shardPath, new FileInfo(shardPath).Length - 1, 0);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("footer magic missing", e.Message);
    }

    [TestMethod]
    [DataRow(16)] // schema fingerprint
    [DataRow(29)] // field count
    [DataRow(44)] // sample count
    public void Open_HeaderBitFlip_ThrowsHeaderCrcMismatch(int offset)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, 1), offset, 4);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("header CRC32C mismatch", e.Message);
    }

    [TestMethod]
    [DataRow(10)] // header size
    [DataRow(12)] // flags
    [DataRow(16)] // schema fingerprint
    [DataRow(24)] // shard index
    [DataRow(28)] // field count
    [DataRow(32)] // first sample
    [DataRow(40)] // sample count
    [DataRow(48)] // chunk count
    [DataRow(55)] // chunk count, high byte: out of range
    [DataRow(57)] // chunk alignment
    public void Open_ResignedHeaderFieldChanged_ThrowsNamingShard(int offset)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string shardPath = ShardCorruptor.ShardPath(path, 1);
        ShardCorruptor.FlipBit(shardPath, offset, 0);
        ShardCorruptor.ResignHeader(shardPath);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
    }

    [TestMethod]
    [DataRow(0)] // table offset
    [DataRow(8)] // chunk count
    [DataRow(16)] // table CRC
    [DataRow(20)] // footer CRC
    public void Open_FooterBitFlip_ThrowsNamingShard(int offsetInFooter)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string shardPath = ShardCorruptor.ShardPath(path, 1);
        ShardCorruptor.FlipBit(shardPath, new FileInfo(shardPath).Length - FormatConstants.FooterSize + offsetInFooter, 1);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("footer CRC32C mismatch", e.Message);
    }

    [TestMethod]
    [DataRow("table offset +64", "does not end where the footer starts")]
    [DataRow("table offset -48", "does not end where the footer starts")]
    [DataRow("chunk count +1", "does not end where the footer starts")]
    [DataRow("chunk count huge", "does not end where the footer starts")]
    [DataRow("table offset huge", "does not end where the footer starts")]
    [DataRow("table CRC", "chunk table CRC32C mismatch")]
    public void Open_ResignedFooterInconsistent_ThrowsNamingShard(string change, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string shardPath = ShardCorruptor.ShardPath(path, 1);
        ShardCorruptor.ShardTable table = ShardCorruptor.ReadTable(path, 1);
        ShardFooter f = table.Footer;
        ShardFooter changed = change switch
        {
            "table offset +64" => f with { TableOffset = f.TableOffset + 64 },
            "table offset -48" => f with { TableOffset = f.TableOffset - 48 },
            "chunk count +1" => f with { ChunkCount = f.ChunkCount + 1 },
            "chunk count huge" => f with { ChunkCount = int.MaxValue },
            "table offset huge" => f with { TableOffset = long.MaxValue - 63 },
            "table CRC" => f with { TableCrc = f.TableCrc ^ 0x10 },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        byte[] footer = new byte[FormatConstants.FooterSize];
        changed.Write(footer);
        ShardCorruptor.WriteBytes(shardPath, table.FileLength - FormatConstants.FooterSize, footer);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains(expected, e.Message);
    }

    // -------- 5. Chunk table --------

    [TestMethod]
    [DataRow("offset +64")]
    [DataRow("stored size +1")]
    [DataRow("sample count +1")]
    [DataRow("crc")]
    public void Open_TableEntryChangedWithoutResigning_ThrowsTableCrcMismatch(string change)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteEntry(
            path,
            1,
            2,
            e => change switch
            {
                "offset +64" => e with { Offset = e.Offset + 64 },
                "stored size +1" => e with { StoredSize = e.StoredSize + 1 },
                "sample count +1" => e with { SampleCount = e.SampleCount + 1 },
                "crc" => e with { Crc = e.Crc ^ 1 },
                _ => throw new ArgumentOutOfRangeException(nameof(change)),
            },
            resign: false);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("chunk table CRC32C mismatch", e.Message);
    }

    [TestMethod]
    [DataRow("past the end of the file")]
    [DataRow("near long.MaxValue")]
    public void Open_ResignedChunkOffsetOutsideFile_ThrowsBadEntry(string where)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.ShardTable table = ShardCorruptor.ReadTable(path, 1);
        long offset = where == "near long.MaxValue"
            ? long.MaxValue & ~(long)(FormatConstants.ChunkAlignment - 1)
            : FormatConstants.AlignUp(table.FileLength, FormatConstants.ChunkAlignment) + (16 * FormatConstants.ChunkAlignment);
        ShardCorruptor.RewriteEntry(path, 1, 1, e => e with { Offset = offset });

        AssertOpenFailsAtEntry(path, 1, 1, "run past the chunk table");
    }

    [TestMethod]
    public void Open_ResignedChunkOffsetNotAligned_ThrowsBadEntry()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteEntry(path, 1, 1, e => e with { Offset = e.Offset + 64 });

        AssertOpenFailsAtEntry(path, 1, 1, "not 4 KiB aligned");
    }

    [TestMethod]
    public void Open_ResignedChunkOffsetInsideHeaderPage_ThrowsBadEntry()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteEntry(path, 1, 0, e => e with { Offset = 0 });

        AssertOpenFailsAtEntry(path, 1, 0, "overlaps the header");
    }

    [TestMethod]
    public void Open_ResignedChunksOverlap_ThrowsBadEntry()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        long previous = ShardCorruptor.ReadTable(path, 1).Entries[1].Offset;
        ShardCorruptor.RewriteEntry(path, 1, 2, e => e with { Offset = previous });

        AssertOpenFailsAtEntry(path, 1, 2, "overlaps");
    }

    [TestMethod]
    public void Open_ResignedStoredSizeRunsIntoNextChunk_ThrowsAtNextChunk()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        long next = ShardCorruptor.ReadTable(path, 1).Entries[2].Offset;

        // Uncompressed, so raw size follows stored size; the grown chunk 1 is itself plausible.
        ShardCorruptor.RewriteEntry(path, 1, 1, e => e with { StoredSize = next - e.Offset + 8, RawSize = next - e.Offset + 8 });

        AssertOpenFailsAtEntry(path, 1, 2, "overlaps");
    }

    [TestMethod]
    [DataRow("by one byte", "run past the chunk table")]
    [DataRow("by long.MaxValue", "is outside [1, 2147483591]")]
    public void Open_ResignedStoredSizeRunsIntoTable_ThrowsBadEntry(string amount, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.ShardTable table = ShardCorruptor.ReadTable(path, 1);
        int last = table.Entries.Length - 1;
        long tableOffset = table.Footer.TableOffset;
        ShardCorruptor.RewriteEntry(
            path,
            1,
            last,
            e =>
            {
                long size = amount == "by one byte" ? tableOffset - e.Offset + 1 : long.MaxValue;
                return e with { StoredSize = size, RawSize = size };
            });

        AssertOpenFailsAtEntry(path, 1, last, expected);
    }

    [TestMethod]
    public void Open_ResignedUncompressedRawSizeDiffersFromStored_ThrowsBadEntry()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteEntry(path, 1, 1, e => e with { RawSize = e.RawSize + 64 });

        AssertOpenFailsAtEntry(path, 1, 1, "uncompressed chunk has raw size");
    }

    [TestMethod]
    public void Open_ResignedMiddleChunkHoldsOneSampleMore_ThrowsAtNextChunk()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteEntry(path, 1, 1, e => e with { SampleCount = e.SampleCount + 1 });

        AssertOpenFailsAtEntry(path, 1, 2, "expected to start at");
    }

    [TestMethod]
    public void Open_ResignedChunkFirstSampleShifted_ThrowsBadEntry()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteEntry(path, 1, 2, e => e with { FirstSample = e.FirstSample + 1 });

        AssertOpenFailsAtEntry(path, 1, 2, "expected to start at");
    }

    [TestMethod]
    public void Open_ResignedChunkWithNoSamples_ThrowsBadEntry()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteEntry(path, 1, 1, e => e with { SampleCount = 0 });

        AssertOpenFailsAtEntry(path, 1, 1, "at least one");
    }

    [TestMethod]
    public void Open_ResignedLastChunkHoldsOneSampleLess_ThrowsNamingShard()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        int last = ShardCorruptor.ReadTable(path, 1).Entries.Length - 1;
        ShardCorruptor.RewriteEntry(path, 1, last, e => e with { SampleCount = e.SampleCount - 1 });

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("samples but the header counts", e.Message);
    }

    [TestMethod]
    [DataRow(37, (byte)1, "reserved bytes")]
    [DataRow(44, (byte)1, "reserved bytes")]
    [DataRow(36, (byte)9, "unknown codec 9")]
    [DataRow(7, (byte)0x80, "out of range")]
    [DataRow(35, (byte)0x80, "out of range")]
    public void Open_ResignedEntryByteOutOfRange_ThrowsBadEntry(int offsetInEntry, byte value, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.PatchEntryBytes(path, 1, 2, entry => entry[offsetInEntry] = value);

        AssertOpenFailsAtEntry(path, 1, 2, expected);
    }

    [TestMethod]
    public void Open_ResignedRawSizeAboveArrayLimit_ThrowsBadEntry()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, CodecKind.Lz4);
        (int shard, int chunk, _) = ShardCorruptor.FindChunk(path, (_, _, e) => e.Codec == CodecKind.Lz4);
        ShardCorruptor.RewriteEntry(path, shard, chunk, e => e with { RawSize = (long)Array.MaxLength + 1 });

        AssertOpenFailsAtEntry(path, shard, chunk, "cannot hold");
    }

    // -------- 6. Decompression bombs and wrong raw sizes --------

    [TestMethod]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public void Open_DecompressionBomb_ThrowsWithoutLargeAllocation(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, codec);
        (int shard, int chunk, _) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && e.Codec == codec);
        ShardCorruptor.RewriteEntry(path, shard, chunk, e => e with { RawSize = 1L << 30 });

        // A 4 GiB budget, so that the budget check cannot be what stops the 1 GiB chunk.
        ShardDatasetOptions options = new() { Codecs = NativeCodecs.Provider, DecodeBudgetBytes = 4L << 30 };
        long before = GC.GetAllocatedBytesForCurrentThread();
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, options));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
        Assert.Contains("decompression bomb", e.Message);
        Assert.IsLessThan(64L << 20, allocated, "bytes allocated by Open");
    }

    [TestMethod]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public void Open_RawSizeJustAboveCodecExpansionBound_ThrowsDecompressionBomb(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, codec);
        (int shard, int chunk, ChunkEntry entry) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && e.Codec == codec);
        NativeCodecs.Provider.TryGetCodec(codec, out ChunkCodec? implementation);
        long bound = implementation!.GetMaxDecodedLength(entry.StoredSize);
        ShardCorruptor.RewriteEntry(path, shard, chunk, e => e with { RawSize = bound + 1 });

        ShardDatasetOptions options = new() { Codecs = NativeCodecs.Provider, DecodeBudgetBytes = 4L << 30 };
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, options));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
        Assert.Contains("decompression bomb", e.Message);
    }

    [TestMethod]
    [DataRow(CodecKind.Lz4, -1)]
    [DataRow(CodecKind.Lz4, 1)]
    [DataRow(CodecKind.Lz4, 64)]
    [DataRow(CodecKind.Lz4, -64)]
    [DataRow(CodecKind.Zstd, -1)]
    [DataRow(CodecKind.Zstd, 1)]
    [DataRow(CodecKind.Zstd, 64)]
    public void ReadChunk_ResignedRawSizeDiffersFromDecodedSize_ThrowsNamingShardAndChunk(CodecKind codec, int delta)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, codec);
        (int shard, int chunk, ChunkEntry entry) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && c >= 1 && e.Codec == codec);
        ShardCorruptor.RewriteEntry(path, shard, chunk, e => e with { RawSize = e.RawSize + delta });

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(shard, chunk));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
        Assert.AreEqual(0, ds.LiveLeases);
        Assert.AreEqual(0, ds.DecodeBytesInUse, "the failed decode returned its buffer");

        // The failure is not cached: it fails again, and its neighbours still read correctly.
        e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(shard, chunk));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
        Assert.AreEqual(Samples - entry.SampleCount, AssertSamplesOutsideChunk(ds, shard, chunk));
    }

    [TestMethod]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public void Open_ResignedUncompressedChunkClaimsCompressed_ThrowsBadEntry(CodecKind claimed)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, CodecKind.None);
        (int shard, int chunk, _) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && c >= 1);
        ShardCorruptor.RewriteEntry(path, shard, chunk, e => e with { Codec = claimed });

        AssertOpenFailsAtEntry(path, shard, chunk, "is not smaller than its raw size");
    }

    [TestMethod]
    [DataRow(CodecKind.Lz4, CodecKind.Zstd)]
    [DataRow(CodecKind.Zstd, CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd, CodecKind.Lz4HC)]
    public void ReadChunk_ResignedCodecByteChanged_ThrowsNamingShardAndChunk(CodecKind written, CodecKind claimed)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, written);
        (int shard, int chunk, _) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && c >= 1 && e.Codec == written);
        ShardCorruptor.RewriteEntry(path, shard, chunk, e => e with { Codec = claimed });

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(shard, chunk));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
        Assert.AreEqual(0, ds.LiveLeases);
    }

    [TestMethod]
    public void Open_ResignedCompressedChunkClaimsUncompressed_ThrowsBadEntry()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, CodecKind.Lz4);
        (int shard, int chunk, _) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && e.Codec == CodecKind.Lz4);
        ShardCorruptor.RewriteEntry(path, shard, chunk, e => e with { Codec = CodecKind.None });

        AssertOpenFailsAtEntry(path, shard, chunk, "uncompressed chunk has raw size");
    }

    // -------- 7. Chunks whose CRC vouches for a bad layout --------

    [TestMethod]
    [DataRow(CodecKind.None, "offsets decrease", "decrease")]
    [DataRow(CodecKind.Lz4, "offsets decrease", "decrease")]
    [DataRow(CodecKind.None, "first offset not 0", "first offset")]
    [DataRow(CodecKind.Lz4, "first offset not 0", "first offset")]
    [DataRow(CodecKind.None, "last offset past the end", "run past the end")]
    [DataRow(CodecKind.Lz4, "last offset past the end", "run past the end")]
    [DataRow(CodecKind.None, "last offset negative", "decrease")]
    [DataRow(CodecKind.None, "last offset huge", "run past the end")]
    [DataRow(CodecKind.None, "values end early", "the fields end at byte")]
    [DataRow(CodecKind.Zstd, "values end early", "the fields end at byte")]
    public void ReadChunk_ResignedChunkWithBadLayout_ThrowsBadChunkLayout(CodecKind codec, string damage, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, codec);
        (int shard, int chunk, ChunkEntry entry) = ShardCorruptor.FindChunk(path, (s, c, e) => s == 1 && c >= 1 && e.Codec == codec);
        ShardCorruptor.RewriteChunkRaw(path, shard, chunk, raw => DamageTokenOffsets(raw, entry.SampleCount, damage));

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(shard, chunk));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
        Assert.Contains("bad chunk layout", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.AreEqual(0, ds.LiveLeases);
        Assert.AreEqual(Samples - entry.SampleCount, AssertSamplesOutsideChunk(ds, shard, chunk));
    }

    [TestMethod]
    public void ReadChunk_FirstTouchResignedChunkWithDecreasingOffsets_ThrowsOnFirstRead()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ChunkEntry entry = ShardCorruptor.ReadTable(path, 0).Entries[1];
        ShardCorruptor.RewriteChunkRaw(path, 0, 1, raw => DamageTokenOffsets(raw, entry.SampleCount, "offsets decrease"));

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(ChecksumPolicy.FirstTouch));
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, 1));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0, 1);
        Assert.Contains("bad chunk layout", e.Message);

        // The chunk was never handed out, so it is not trusted on the next read either.
        e = Assert.ThrowsExactly<InvalidDataException>(() => ds.ReadChunk(0, 1));
        Assert.Contains("bad chunk layout", e.Message);
    }

    // -------- Random damage --------

    [TestMethod]
    [DataRow(CodecKind.None, 11)]
    [DataRow(CodecKind.Lz4, 12)]
    public void OpenAndReadAll_RandomBitFlips_ThrowInvalidDataOrReturnExactSamples(CodecKind codec, int seed)
    {
        // Each flip lands in a chosen region. Flips in the header, a chunk's stored bytes, the table or the
        // footer must be caught (table flips are re-signed half the time, header flips too); flips in padding
        // must change nothing.
        using var dir = new TempDirectory();
        string pristine = Write(dir, codec);
        string[] files = Directory.GetFiles(pristine);
        int shardCount = ShardCorruptor.ReadManifest(pristine).Shards.Count;
        var random = new Random(seed);
        int caught = 0, harmless = 0;
        for (int iteration = 0; iteration < 120; iteration++)
        {
            string path = dir.Combine($"it{iteration}");
            Directory.CreateDirectory(path);
            foreach (string f in files)
            {
                File.Copy(f, Path.Combine(path, Path.GetFileName(f)));
            }

            int shard = random.Next(shardCount);
            string shardPath = ShardCorruptor.ShardPath(path, shard);
            ShardCorruptor.ShardTable table = ShardCorruptor.ReadTable(path, shard);
            ChunkEntry entry = table.Entries[random.Next(table.Entries.Length)];
            string region = new[] { "header", "header page padding", "chunk", "chunk padding", "table", "footer" }[random.Next(6)];
            if (region == "chunk padding" && NextStart(table, entry) == entry.End)
            {
                region = "header page padding";
            }

            long offset = region switch
            {
                "header" => random.Next(FormatConstants.HeaderSize),
                "header page padding" => random.Next(FormatConstants.HeaderSize, FormatConstants.FirstChunkOffset),
                "chunk" => entry.Offset + random.NextInt64(entry.StoredSize),
                "chunk padding" => entry.End + random.NextInt64(NextStart(table, entry) - entry.End),
                "table" => table.Footer.TableOffset + random.Next(table.Entries.Length * FormatConstants.ChunkEntrySize),
                _ => table.FileLength - FormatConstants.FooterSize + random.Next(FormatConstants.FooterSize),
            };
            ShardCorruptor.FlipBit(shardPath, offset, random.Next(8));

            // Re-signing a flip in the header CRC itself would undo it.
            bool resign = random.Next(2) == 0 && (region == "table" || (region == "header" && offset < 60));
            if (resign && region == "table")
            {
                ShardCorruptor.ResignTable(path, shard);
            }
            else if (resign)
            {
                ShardCorruptor.ResignHeader(shardPath);
            }

            string what = $"iteration {iteration}: {region} of shard {shard} at byte {offset}{(resign ? ", re-signed" : string.Empty)}";
            InvalidDataException? error = OpenAndReadAll(path, out int exact);
            if (region is "header" or "chunk" or "table" or "footer")
            {
                Assert.IsNotNull(error, $"{what} went unnoticed");
                ShardCorruptor.AssertLocated(error, ShardCorruptor.ShardFileName(shard), shard);
                caught++;
            }
            else
            {
                Assert.IsNull(error, $"{what}: {error?.Message}");
                Assert.AreEqual(Samples, exact, what);
                harmless++;
            }

            Directory.Delete(path, recursive: true);
        }

        Assert.IsGreaterThan(60, caught);
        Assert.IsGreaterThan(10, harmless);
    }

    // -------- Helpers --------

    private static string Write(TempDirectory dir, CodecKind codec = CodecKind.None)
    {
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, Samples, TestData.Options(codec, chunkBytes: 1024, shardBytes: 32 << 10));
        Assert.IsGreaterThan(2, ShardCorruptor.ReadManifest(path).Shards.Count, "the tests need at least three shards");
        return path;
    }

    /// <summary>Opens with one shard mapped at a time, and reads from shard 1 so that shard 0 is unmapped.</summary>
    private static ShardDataset OpenWithOneMappedShard(string path)
    {
        ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider, MaxMappedShards = 1 });
        using (SampleLease s = ds.ReadSample(ds.Shards[1].FirstSample))
        {
            TestData.AssertMixedSample(s, ds.Shards[1].FirstSample);
        }

        return ds;
    }

    private static long CutLength(string cut, long length) => cut switch
    {
        "last byte" => length - 1,
        "half" => length / 2,
        "to 100 bytes" => 100,
        "to 0 bytes" => 0,
        "to smallest shard" => FormatConstants.MinShardLength,
        _ => throw new ArgumentOutOfRangeException(nameof(cut)),
    };

    private static long NextStart(ShardCorruptor.ShardTable table, ChunkEntry entry)
    {
        int i = Array.IndexOf(table.Entries, entry);
        return i + 1 < table.Entries.Length ? table.Entries[i + 1].Offset : table.Footer.TableOffset;
    }

    private static void AssertOpenFailsAtEntry(string path, int shard, int chunk, string expected)
    {
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(shard), shard, chunk);
        Assert.Contains("bad chunk-table entry", e.Message);
        Assert.Contains(expected, e.Message);
    }

    /// <summary>Reads and checks every sample outside one chunk; returns how many were read.</summary>
    private static int AssertSamplesOutsideChunk(ShardDataset ds, int shard, int chunk)
    {
        int read = 0;
        for (long i = 0; i < ds.SampleCount; i++)
        {
            (int s, int c, _) = ds.Locate(i);
            if (s == shard && c == chunk)
            {
                continue;
            }

            using SampleLease sample = ds.ReadSample(i);
            TestData.AssertMixedSample(sample, i);
            read++;
        }

        return read;
    }

    /// <summary>Opens the dataset and reads every sample; returns the data error, or null with the count of exact samples.</summary>
    private static InvalidDataException? OpenAndReadAll(string path, out int exact)
    {
        exact = 0;
        try
        {
            using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
            for (long i = 0; i < ds.SampleCount; i++)
            {
                using SampleLease s = ds.ReadSample(i);
                if (s.Get<float>(0).SequenceEqual(TestData.Features(i)) && s.Get<long>(1)[0] == i * 3 && s.Get<int>(2).SequenceEqual(TestData.Tokens(i)))
                {
                    exact++;
                }
            }

            return null;
        }
        catch (InvalidDataException e)
        {
            return e;
        }
    }

    /// <summary>Damages the token offsets (field 2) of a raw chunk of the mixed schema.</summary>
    private static void DamageTokenOffsets(byte[] raw, int count, string damage)
    {
        var sections = new FieldSection[TestData.MixedSchema.Count];
        Assert.IsNull(ChunkLayout.TryParse(TestData.MixedSchema, count, raw, sections), "the chunk starts out valid");
        Span<long> offsets = MemoryMarshal.Cast<byte, long>(raw.AsSpan(sections[2].OffsetsOffset, (count + 1) * sizeof(long)));
        Assert.IsGreaterThan(2, offsets.Length);
        switch (damage)
        {
            case "offsets decrease":
                offsets[1] = offsets[2] + 1;
                break;
            case "first offset not 0":
                offsets[0] = 1;
                break;
            case "last offset past the end":
                offsets[count] += 1000;
                break;
            case "last offset negative":
                offsets[count] = -4;
                break;
            case "last offset huge":
                offsets[count] = long.MaxValue / 2;
                break;
            case "values end early":
                Assert.IsGreaterThan(0L, offsets[count]);
                offsets[count]--;
                for (int i = 0; i < count; i++)
                {
                    offsets[i] = Math.Min(offsets[i], offsets[count]);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage));
        }
    }
}
