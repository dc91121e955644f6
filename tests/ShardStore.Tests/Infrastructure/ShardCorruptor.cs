using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Integrity;

namespace ShardStore.Tests.Infrastructure;

/// <summary>
/// Damages a dataset on disk on purpose: flips bits, cuts files, rewrites chunk-table entries, chunks,
/// headers and manifests. The re-signing helpers recompute every checksum that covers the damage (chunk
/// CRC, table CRC in the footer, footer CRC, the manifest's tableCrc32c and byte totals) so that only the
/// deeper structural checks of the reader can catch it.
/// </summary>
internal static class ShardCorruptor
{
    public static string ShardPath(string dataset, int shard) => Path.Combine(dataset, FormatConstants.ShardFileName(shard));

    public static string ShardFileName(int shard) => FormatConstants.ShardFileName(shard);

    public static string ManifestPath(string dataset) => Path.Combine(dataset, FormatConstants.ManifestFileName);

    /// <summary>Returns the footer and the chunk-table entries of a shard, as written.</summary>
    public static ShardTable ReadTable(string dataset, int shard)
    {
        byte[] bytes = File.ReadAllBytes(ShardPath(dataset, shard));
        string? problem = ShardFooter.TryRead(bytes.AsSpan(bytes.Length - FormatConstants.FooterSize), out ShardFooter footer);
        if (problem is not null)
        {
            throw new InvalidOperationException($"Test setup: shard {shard} has no readable footer ({problem}).");
        }

        var entries = new ChunkEntry[footer.ChunkCount];
        for (int i = 0; i < entries.Length; i++)
        {
            long at = footer.TableOffset + ((long)i * FormatConstants.ChunkEntrySize);
            problem = ChunkEntry.TryRead(bytes.AsSpan((int)at, FormatConstants.ChunkEntrySize), out entries[i]);
            if (problem is not null)
            {
                throw new InvalidOperationException($"Test setup: shard {shard} chunk {i}: {problem}.");
            }
        }

        return new ShardTable(footer, entries, bytes.Length);
    }

    /// <summary>Returns the first (shard, chunk) whose entry satisfies <paramref name="match"/>.</summary>
    public static (int Shard, int Chunk, ChunkEntry Entry) FindChunk(string dataset, Func<int, int, ChunkEntry, bool> match)
    {
        for (int s = 0; File.Exists(ShardPath(dataset, s)); s++)
        {
            ChunkEntry[] entries = ReadTable(dataset, s).Entries;
            for (int c = 0; c < entries.Length; c++)
            {
                if (match(s, c, entries[c]))
                {
                    return (s, c, entries[c]);
                }
            }
        }

        throw new InvalidOperationException("Test setup: no chunk matches.");
    }

    public static byte[] ReadBytes(string path, long offset, int count)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        byte[] bytes = new byte[count];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        return bytes;
    }

    public static void WriteBytes(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        // FileShare.ReadWrite: a test may damage a file that an open dataset has mapped.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        if (offset + bytes.Length > stream.Length)
        {
            throw new InvalidOperationException($"Test setup: writing {bytes.Length} bytes at {offset} would grow '{path}' ({stream.Length} bytes).");
        }

        stream.Position = offset;
        stream.Write(bytes);
    }

    /// <summary>Flips one bit of the file.</summary>
    public static void FlipBit(string path, long offset, int bit = 0)
    {
        byte[] b = ReadBytes(path, offset, 1);
        b[0] ^= (byte)(1 << bit);
        WriteBytes(path, offset, b);
    }

    public static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
        stream.SetLength(length);
    }

    /// <summary>Recomputes the header CRC32C (bytes 60..63 over bytes 0..59) after the header was patched.</summary>
    public static void ResignHeader(string path)
    {
        byte[] header = ReadBytes(path, 0, FormatConstants.HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(60), Crc32C.Compute(header.AsSpan(0, 60)));
        WriteBytes(path, 0, header);
    }

    /// <summary>Patches the 48 bytes of one chunk-table entry; with <paramref name="resign"/>, re-signs table, footer and manifest.</summary>
    public static void PatchEntryBytes(string dataset, int shard, int chunk, Action<Span<byte>> patch, bool resign = true)
    {
        string path = ShardPath(dataset, shard);
        ShardTable table = ReadTable(dataset, shard);
        long at = table.Footer.TableOffset + ((long)chunk * FormatConstants.ChunkEntrySize);
        byte[] entry = ReadBytes(path, at, FormatConstants.ChunkEntrySize);
        patch(entry);
        WriteBytes(path, at, entry);
        if (resign)
        {
            ResignTable(dataset, shard);
        }
    }

    /// <summary>Replaces one chunk-table entry; with <paramref name="resign"/>, re-signs table, footer and manifest.</summary>
    public static void RewriteEntry(string dataset, int shard, int chunk, Func<ChunkEntry, ChunkEntry> change, bool resign = true)
    {
        ChunkEntry changed = change(ReadTable(dataset, shard).Entries[chunk]);
        PatchEntryBytes(dataset, shard, chunk, bytes => changed.Write(bytes), resign);
    }

    /// <summary>
    /// Makes the footer and the manifest agree with the chunk table as it now is: the table CRC32C in the footer,
    /// the footer CRC32C, and the manifest's tableCrc32c, rawBytes and storedBytes of the shard.
    /// </summary>
    public static void ResignTable(string dataset, int shard)
    {
        string path = ShardPath(dataset, shard);
        long length = new FileInfo(path).Length;
        byte[] footerBytes = ReadBytes(path, length - FormatConstants.FooterSize, FormatConstants.FooterSize);
        long tableOffset = BinaryPrimitives.ReadInt64LittleEndian(footerBytes);
        long chunkCount = BinaryPrimitives.ReadInt64LittleEndian(footerBytes.AsSpan(8));
        byte[] table = ReadBytes(path, tableOffset, (int)(chunkCount * FormatConstants.ChunkEntrySize));
        uint tableCrc = Crc32C.Compute(table);
        new ShardFooter(tableOffset, chunkCount, tableCrc).Write(footerBytes);
        WriteBytes(path, length - FormatConstants.FooterSize, footerBytes);

        // Sums of the fields as written, saturating: an entry may hold values the reader must refuse.
        ulong raw = 0, stored = 0;
        for (int i = 0; i < chunkCount; i++)
        {
            stored = SaturatingAdd(stored, BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan((i * FormatConstants.ChunkEntrySize) + 8)));
            raw = SaturatingAdd(raw, BinaryPrimitives.ReadUInt64LittleEndian(table.AsSpan((i * FormatConstants.ChunkEntrySize) + 16)));
        }

        RewriteManifest(dataset, m => WithShard(m, shard, s => s with { TableCrc32C = tableCrc, RawBytes = (long)raw, StoredBytes = (long)stored }));
    }

    private static ulong SaturatingAdd(ulong a, ulong b) => Math.Min(a + b < a ? ulong.MaxValue : a + b, long.MaxValue);

    /// <summary>Returns the raw (decoded) bytes of a chunk as written.</summary>
    public static byte[] ReadRawChunk(string dataset, int shard, int chunk)
    {
        ChunkEntry e = ReadTable(dataset, shard).Entries[chunk];
        byte[] stored = ReadBytes(ShardPath(dataset, shard), e.Offset, (int)e.StoredSize);
        if (e.Codec == CodecKind.None)
        {
            return stored;
        }

        if (!NativeCodecs.Provider.TryGetCodec(e.Codec, out ChunkCodec? codec))
        {
            throw new InvalidOperationException($"Test setup: no codec {e.Codec}.");
        }

        byte[] raw = new byte[e.RawSize];
        if (!codec.TryDecode(stored, raw, out int written) || written != raw.Length)
        {
            throw new InvalidOperationException("Test setup: the chunk does not decode.");
        }

        return raw;
    }

    /// <summary>
    /// Changes the raw bytes of a chunk and stores them again with the chunk's codec (re-encoding a compressed
    /// chunk), then fixes the entry's stored size and CRC32C and re-signs table, footer and manifest: a chunk
    /// that every checksum vouches for.
    /// </summary>
    public static void RewriteChunkRaw(string dataset, int shard, int chunk, Action<byte[]> patchRaw)
    {
        string path = ShardPath(dataset, shard);
        ShardTable table = ReadTable(dataset, shard);
        ChunkEntry e = table.Entries[chunk];
        byte[] raw = ReadRawChunk(dataset, shard, chunk);
        patchRaw(raw);
        byte[] stored;
        if (e.Codec == CodecKind.None)
        {
            stored = raw;
        }
        else
        {
            NativeCodecs.Provider.TryGetCodec(e.Codec, out ChunkCodec? codec);
            byte[] output = new byte[codec!.GetMaxEncodedLength(raw.Length)];
            if (!codec.TryEncode(raw, output, codec.DefaultLevel, out int written))
            {
                throw new InvalidOperationException("Test setup: re-encoding failed.");
            }

            stored = output[..written];
        }

        long limit = chunk + 1 < table.Entries.Length ? table.Entries[chunk + 1].Offset : table.Footer.TableOffset;
        if (e.Offset + stored.Length > limit)
        {
            throw new InvalidOperationException("Test setup: the re-encoded chunk does not fit in its slot.");
        }

        WriteBytes(path, e.Offset, stored);
        RewriteEntry(dataset, shard, chunk, old => old with { StoredSize = stored.Length, Crc = Crc32C.Compute(stored) });
    }

    public static DatasetManifest ReadManifest(string dataset)
    {
        string path = ManifestPath(dataset);
        return ManifestSerializer.Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Rewrites the manifest through the library's own serializer, so it stays self-consistent JSON of format v1.</summary>
    public static void RewriteManifest(string dataset, Func<DatasetManifest, DatasetManifest> change) =>
        File.WriteAllBytes(ManifestPath(dataset), ManifestSerializer.Serialize(change(ReadManifest(dataset))));

    public static DatasetManifest WithShard(DatasetManifest manifest, int shard, Func<ShardInfo, ShardInfo> change)
    {
        var shards = manifest.Shards.ToList();
        shards[shard] = change(shards[shard]);
        return manifest with { Shards = shards };
    }

    /// <summary>Edits manifest.json as a JSON tree (for manifests the serializer could not write).</summary>
    public static void EditManifestJson(string dataset, Action<JsonObject> edit)
    {
        string path = ManifestPath(dataset);
        JsonObject root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), new UTF8Encoding(false));
    }

    public static void WriteManifestText(string dataset, string text) =>
        File.WriteAllText(ManifestPath(dataset), text, new UTF8Encoding(false));

    /// <summary>
    /// Asserts that a data error names <paramref name="fileName"/> and, when given, the shard and chunk, both in
    /// its message and in <see cref="Exception.Data"/>.
    /// </summary>
    public static void AssertLocated(InvalidDataException e, string fileName, int? shard = null, int? chunk = null)
    {
        Assert.Contains(fileName, e.Message);
        Assert.IsInstanceOfType<string>(e.Data[DataErrors.FileKey], "Data[FileKey]");
        Assert.AreEqual(fileName, Path.GetFileName((string)e.Data[DataErrors.FileKey]!), "Data[FileKey]");
        if (shard is { } s)
        {
            Assert.MatchesRegex($", shard {s}[,:]", e.Message);
            Assert.AreEqual<object?>(s, e.Data[DataErrors.ShardKey], "Data[ShardKey]");
        }

        if (chunk is { } c)
        {
            Assert.MatchesRegex($", chunk {c}[,:]", e.Message);
            Assert.AreEqual<object?>((long)c, e.Data[DataErrors.ChunkKey], "Data[ChunkKey]");
        }
    }

    /// <summary>A shard's footer and chunk-table entries.</summary>
    public sealed record ShardTable(ShardFooter Footer, ChunkEntry[] Entries, long FileLength);
}
