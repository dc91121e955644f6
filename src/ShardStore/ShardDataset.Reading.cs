using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Reading;

namespace ShardStore;

/// <summary>
/// Reads for the loader that copy a chunk's bytes out of the file with positioned reads into memory the caller
/// owns, never through the mapping: a shard truncated or rewritten by another process meanwhile then surfaces as
/// an <see cref="InvalidDataException"/> (short read, CRC mismatch, bad layout) instead of a fault that kills the process.
/// </summary>
public sealed partial class ShardDataset
{
    /// <summary>Gets whether a read of the chunk must check its CRC32C under the checksum policy.</summary>
    internal bool MustVerify(int shard, int chunk) =>
        _options.Checksums == ChecksumPolicy.Always || !_shards[shard].IsVerified(chunk);

    /// <summary>Takes a reference on a shard's open file (opening it if it is not); release it when done.</summary>
    /// <exception cref="InvalidDataException">The shard file no longer matches the one opened.</exception>
    /// <exception cref="ObjectDisposedException">The dataset was disposed.</exception>
    internal ShardMapping AcquireFile(int shard) => AcquireMapping(_shards[shard]);

    /// <summary>
    /// Copies a whole chunk with positioned reads: an uncompressed one into <paramref name="destination"/>, a
    /// compressed one into <paramref name="storedScratch"/>, then decoded into <paramref name="destination"/>.
    /// The CRC is checked on the copy as the policy asks, and the layout (offsets included) in full.
    /// </summary>
    /// <returns>The field sections of the raw chunk in <paramref name="destination"/>.</returns>
    /// <exception cref="InvalidDataException">The file ends inside the chunk, or the chunk is corrupt.</exception>
    internal FieldSection[] CopyChunk(int shard, int chunk, Span<byte> destination, Span<byte> storedScratch)
    {
        ShardFile file = _shards[shard];
        ChunkEntry entry = file.Entries[chunk];
        ShardMapping mapping = AcquireMapping(file);
        try
        {
            bool compressed = entry.Codec != CodecKind.None;
            Span<byte> stored = compressed ? storedScratch[..(int)entry.StoredSize] : destination[..(int)entry.StoredSize];
            bool checksummed = MustVerify(shard, chunk);
            ReadExactly(file, mapping, shard, chunk, entry.Offset, stored);
            if (!checksummed)
            {
                CheckUnchanged(file, mapping, shard, chunk, entry.Offset);
            }

            VerifyStored(file, shard, chunk, entry, stored, forceVerify: false);
            FieldSection[] sections = compressed
                ? DecodeCore(file, shard, chunk, entry, stored, destination[..(int)entry.RawSize])
                : ParseLayout(file, shard, chunk, stored, validateOffsets: true);
            file.MarkVerified(chunk);
            return sections;
        }
        finally
        {
            mapping.Release();
        }
    }

    /// <summary>
    /// Copies bytes of an uncompressed chunk, from <paramref name="offsetInChunk"/> on, with one positioned read
    /// through a file from <see cref="AcquireFile"/>; no checksum is checked (the caller knows the chunk was), so the
    /// file's identity (length, modification time) is checked after the read instead.
    /// </summary>
    /// <exception cref="InvalidDataException">The range lies outside the chunk, the file ends inside it, or it was written since it was opened.</exception>
    internal void CopyChunkRange(ShardMapping mapping, int shard, int chunk, long offsetInChunk, Span<byte> destination)
    {
        ShardFile file = _shards[shard];
        ChunkEntry entry = file.Entries[chunk];
        if (offsetInChunk < 0 || offsetInChunk > entry.StoredSize - destination.Length)
        {
            throw DataErrors.Create(
                $"bytes {offsetInChunk}..{offsetInChunk + destination.Length} lie outside the chunk's {entry.StoredSize} bytes; the file changed while in use",
                file.Path,
                shard,
                chunk,
                entry.Offset);
        }

        ReadExactly(file, mapping, shard, chunk, entry.Offset + offsetInChunk, destination);
        CheckUnchanged(file, mapping, shard, chunk, entry.Offset + offsetInChunk);
    }

    // For a read whose checksum is not checked: a file written in place before or during the read has another
    // length or modification time now, and one written after it cannot have changed what was read.
    private static void CheckUnchanged(ShardFile file, ShardMapping mapping, int shard, int chunk, long offset)
    {
        FileIdentity now = RegularFile.GetIdentity(mapping.Handle);
        if (now != file.FileIdentity)
        {
            throw DataErrors.Create(
                $"the shard file was written while in use (it was {file.FileIdentity} at open, now {now}); the dataset was replaced or modified while open",
                file.Path,
                shard,
                chunk,
                offset);
        }
    }

    private static void ReadExactly(ShardFile file, ShardMapping mapping, int shard, int chunk, long offset, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int read = RandomAccess.Read(mapping.Handle, destination[done..], offset + done);
            if (read == 0)
            {
                throw DataErrors.Create(
                    $"the shard file ends at byte {offset + done}, inside the chunk, but had {mapping.Length} bytes when opened; it was truncated while in use",
                    file.Path,
                    shard,
                    chunk,
                    offset + done);
            }

            done += read;
        }
    }
}
