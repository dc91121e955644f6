using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Reading;
using ShardStore.Internals.Sources;

namespace ShardStore;

/// <summary>
/// Reads that copy a chunk's bytes out of its shard into memory the caller owns, never through a mapping: a shard
/// truncated or rewritten by another process meanwhile then surfaces as an <see cref="InvalidDataException"/> (short
/// read, CRC mismatch, bad layout, changed identity) instead of a fault that kills the process. The loader reads
/// this way from every source; <see cref="ReadChunk(int, int)"/> does when the source cannot map.
/// </summary>
public sealed partial class ShardDataset
{
    /// <summary>How many times a chunk whose bytes failed their checksum is fetched again from a source whose bytes cross a network.</summary>
    private const int CorruptRefetches = 2;

    /// <summary>Gets whether a read of the chunk must check its CRC32C under the checksum policy.</summary>
    internal bool MustVerify(int shard, int chunk) => MustVerify(_shards[shard], chunk);

    /// <summary>Gets how many stored bytes a loader's read-ahead may ask the source for beyond the chunk it reads (<see cref="ShardDatasetOptions.ReadAheadBytes"/>).</summary>
    internal long ReadAheadBytes => _options.ReadAheadBytes is { } bytes ? Math.Max(0, bytes) : _source.DefaultReadAheadBytes;

    /// <summary>Gets the read-ahead of a local dataset read with direct I/O, or null.</summary>
    internal LocalReadAhead? LocalReadAhead => (_source as LocalDatasetSource)?.ReadAhead;

    /// <summary>Gets whether partial reads of an uncompressed chunk's samples are cheap (a local file, not an object store).</summary>
    internal bool ReadsRangesCheaply => !_source.IsRemote;

    /// <summary>Takes a reference on a shard's open file or object (opening it if it is not); release it when done.</summary>
    /// <exception cref="InvalidDataException">The shard file no longer matches the one opened.</exception>
    /// <exception cref="ObjectDisposedException">The dataset was disposed.</exception>
    internal OpenShard AcquireFile(int shard) => _open.Acquire(_shards[shard]);

    /// <summary>
    /// Asks the source to read the chunks of <paramref name="chunks"/> (shard, chunk) ahead of use: a hint to the OS
    /// for mapped shards and page-cache reads, reads into memory ahead of use for remote shards and direct I/O.
    /// </summary>
    internal void Prefetch(IEnumerable<(int Shard, int Chunk)> chunks)
    {
        foreach (IGrouping<int, int> group in chunks.GroupBy(c => c.Shard, c => c.Chunk))
        {
            ShardFile file = _shards[group.Key];
            OpenShard? open;
            try
            {
                // A hint to the OS never opens a shard: reopening and mapping it would cost more than the hint saves.
                open = _source.ReadsAheadItself ? _open.Acquire(file) : _open.TryAcquireOpen(file);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // The read of the chunk reports what is wrong with the shard.
                continue;
            }

            if (open is null)
            {
                continue;
            }

            try
            {
                open.ReadAhead([.. group.Order().Select(c => (c, file.Entries[c]))]);
            }
            finally
            {
                open.Release();
            }
        }
    }

    /// <summary>Forgets the chunks read into memory ahead of use and not read yet (the loader that asked for them stopped).</summary>
    internal void DropPrefetches() => _source.DropReadAhead();

    /// <summary>
    /// Copies a whole chunk: an uncompressed one into <paramref name="destination"/>, a compressed one into
    /// <paramref name="storedScratch"/>, then decoded into <paramref name="destination"/>. The CRC is checked on the
    /// copy as the policy asks, and the layout (offsets included) in full.
    /// </summary>
    /// <returns>The field sections of the raw chunk in <paramref name="destination"/>.</returns>
    /// <exception cref="InvalidDataException">The shard ends inside the chunk, or the chunk is corrupt.</exception>
    internal FieldSection[] CopyChunk(int shard, int chunk, Span<byte> destination, Span<byte> storedScratch)
    {
        ShardFile file = _shards[shard];
        OpenShard open = _open.Acquire(file);
        try
        {
            return CopyChunk(file, open, shard, chunk, destination, storedScratch, forceVerify: false);
        }
        finally
        {
            open.Release();
        }
    }

    /// <summary>
    /// Copies bytes of an uncompressed chunk, from <paramref name="offsetInChunk"/> on, with one positioned read
    /// through a shard from <see cref="AcquireFile"/>; no checksum is checked (the caller knows the chunk was), so the
    /// file's identity (length, modification time) is checked after the read instead.
    /// </summary>
    /// <exception cref="InvalidDataException">The range lies outside the chunk, the file ends inside it, or it was written since it was opened.</exception>
    internal void CopyChunkRange(OpenShard open, int shard, int chunk, long offsetInChunk, Span<byte> destination)
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

        ReadExactly(file, open, shard, chunk, entry.Offset + offsetInChunk, destination);
        CheckUnchanged(file, open, shard, chunk, entry.Offset + offsetInChunk);
    }

    private bool MustVerify(ShardFile file, int chunk) =>
        _options.Checksums == ChecksumPolicy.Always || _source.IsRemote || !file.IsVerified(chunk);

    private FieldSection[] CopyChunk(ShardFile file, OpenShard open, int shard, int chunk, Span<byte> destination, Span<byte> storedScratch, bool forceVerify)
    {
        ChunkEntry entry = file.Entries[chunk];
        bool compressed = entry.Codec != CodecKind.None;
        bool checksummed = forceVerify || MustVerify(file, chunk);

        // A compressed chunk the source read ahead is checked and decoded where it lies: no copy into the scratch.
        if (compressed && open.TryBorrowChunk(chunk, out BorrowedChunk borrowed))
        {
            using (borrowed)
            {
                if (DecodeBorrowed(file, open, shard, chunk, entry, borrowed.Bytes, destination, checksummed, forceVerify) is { } decoded)
                {
                    return decoded;
                }
            }
        }

        Span<byte> stored = compressed ? storedScratch[..(int)entry.StoredSize] : destination[..(int)entry.StoredSize];
        bool fromCache;
        for (int attempt = 0; ; attempt++)
        {
            fromCache = ReadStored(file, open, shard, chunk, entry, stored);
            if (!checksummed)
            {
                CheckUnchanged(file, open, shard, chunk, entry.Offset);
            }

            try
            {
                VerifyStored(file, shard, chunk, entry, stored, forceVerify);
                break;
            }
            catch (InvalidDataException) when (attempt < CorruptRefetches && open.ChunkCorrupt(chunk))
            {
                // A body damaged on the way: fetch it again.
            }
        }

        open.ChunkVerified(chunk, stored, fromCache);
        FieldSection[] sections = compressed
            ? DecodeCore(file, shard, chunk, entry, stored, destination[..(int)entry.RawSize])
            : ParseLayout(file, shard, chunk, stored, validateOffsets: true);
        file.MarkVerified(chunk);
        return sections;
    }

    // Checks and decodes stored bytes lent by the source; null when they failed their checksum and the source says a
    // read may give other bytes (the caller then reads the chunk afresh).
    private FieldSection[]? DecodeBorrowed(ShardFile file, OpenShard open, int shard, int chunk, ChunkEntry entry, ReadOnlySpan<byte> stored, Span<byte> destination, bool checksummed, bool forceVerify)
    {
        if (stored.Length != entry.StoredSize)
        {
            return null;
        }

        if (!checksummed)
        {
            CheckUnchanged(file, open, shard, chunk, entry.Offset);
        }

        try
        {
            VerifyStored(file, shard, chunk, entry, stored, forceVerify);
        }
        catch (InvalidDataException) when (open.ChunkCorrupt(chunk))
        {
            return null;
        }

        open.ChunkVerified(chunk, stored, fromCache: false);
        FieldSection[] sections = DecodeCore(file, shard, chunk, entry, stored, destination[..(int)entry.RawSize]);
        file.MarkVerified(chunk);
        return sections;
    }

    // A chunk's stored bytes, whole; returns whether they came from a node-local cache. An object replaced since open
    // is named with the shard and chunk it was read for.
    private static bool ReadStored(ShardFile file, OpenShard open, int shard, int chunk, ChunkEntry entry, Span<byte> stored)
    {
        int read;
        bool fromCache;
        try
        {
            read = open.ReadChunk(chunk, entry, stored, out fromCache);
        }
        catch (InvalidDataException e) when (open is RemoteShard)
        {
            throw DataErrors.Create(
                $"the dataset was replaced or modified while it was open: {e.Message} Reopen the dataset",
                file.Path,
                shard,
                chunk,
                entry.Offset,
                innerException: e);
        }

        if (read < stored.Length)
        {
            throw EndedInside(file, open, shard, chunk, entry.Offset + read);
        }

        return fromCache;
    }

    // For a read whose checksum is not checked: a file written in place before or during the read has another
    // length or modification time now, and one written after it cannot have changed what was read.
    private static void CheckUnchanged(ShardFile file, OpenShard open, int shard, int chunk, long offset)
    {
        if (open.DescribeChange() is { } change)
        {
            throw DataErrors.Create(
                $"the shard file was written while in use ({change}); the dataset was replaced or modified while open",
                file.Path,
                shard,
                chunk,
                offset);
        }
    }

    private static void ReadExactly(ShardFile file, OpenShard open, int shard, int chunk, long offset, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int read = open.Read(offset + done, destination[done..]);
            if (read == 0)
            {
                throw EndedInside(file, open, shard, chunk, offset + done);
            }

            done += read;
        }
    }

    private static InvalidDataException EndedInside(ShardFile file, OpenShard open, int shard, int chunk, long offset) =>
        DataErrors.Create(
            $"the shard file ends at byte {offset}, inside the chunk, but had {open.Length} bytes when opened; it was truncated while in use",
            file.Path,
            shard,
            chunk,
            offset);
}
