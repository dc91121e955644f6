using ShardStore.Format;
using ShardStore.Internals.Memory;

namespace ShardStore.Internals.Sources;

/// <summary>
/// One shard as its source holds it open: a mapped file (<see cref="ShardMapping"/>), a file read with positioned
/// reads (<see cref="DirectShard"/>) or an object in an object store (<see cref="RemoteShard"/>). Reference counted:
/// the dataset keeps one reference while the shard is in its open set, and every read or lease takes its own, so an
/// evicted shard closes when its last reader is done.
/// </summary>
internal abstract class OpenShard(string name, long length)
{
    // Interlocked.
    private int _references = 1;

    /// <summary>Gets the file's path or the object's URI, as messages name it.</summary>
    public string Name => name;

    /// <summary>Gets the shard's length when it was opened.</summary>
    public long Length => length;

    /// <summary>
    /// Gets whether the source may skip checksums of chunks it verified once (<see cref="ChecksumPolicy.FirstTouch"/>):
    /// true for local files, whose identity is checked instead; false for remote objects, every fetch of which is checked.
    /// </summary>
    public virtual bool TrustsVerifiedChunks => true;

    /// <summary>Reads up to <c>destination.Length</c> bytes from <paramref name="offset"/> on; returns how many, 0 at the end of the shard.</summary>
    public abstract int Read(long offset, Span<byte> destination);

    /// <summary>
    /// Reads a whole chunk's stored bytes into <paramref name="destination"/> (<c>entry.StoredSize</c> bytes); returns how
    /// many it read, fewer only when the shard ends inside the chunk. Sources that prefetch or cache chunks serve them
    /// here, and say with <paramref name="fromCache"/> whether the bytes came from a node-local cache.
    /// </summary>
    public virtual int ReadChunk(int chunk, ChunkEntry entry, Span<byte> destination, out bool fromCache)
    {
        fromCache = false;
        int done = 0;
        while (done < destination.Length)
        {
            int read = Read(entry.Offset + done, destination[done..]);
            if (read == 0)
            {
                break;
            }

            done += read;
        }

        return done;
    }

    /// <summary>
    /// Lends a chunk's stored bytes where the source already holds them (read ahead into memory), so the caller checks and
    /// decodes them without copying; false when the source holds none (the caller then uses <see cref="ReadChunk"/>).
    /// </summary>
    public virtual bool TryBorrowChunk(int chunk, out BorrowedChunk borrowed)
    {
        borrowed = default;
        return false;
    }

    /// <summary>Called once a chunk read by <see cref="ReadChunk"/> passed its checksum; a caching source keeps it (unless it came from the cache).</summary>
    public virtual void ChunkVerified(int chunk, ReadOnlySpan<byte> stored, bool fromCache)
    {
    }

    /// <summary>Called when a chunk read by <see cref="ReadChunk"/> failed its checksum: forgets any copy of it, so a retry reads it afresh.</summary>
    /// <returns>Whether reading it again may give other bytes (a remote object's bytes can be damaged on the way, a file's cannot).</returns>
    public virtual bool ChunkCorrupt(int chunk) => false;

    /// <summary>
    /// Describes how the shard changed since it was opened, or returns null when it did not: a check for reads whose
    /// checksum was skipped (a file written in place before or during a read has another length or modification time).
    /// </summary>
    public abstract string? DescribeChange();

    /// <summary>Hints the access to come for a range of the shard (chunk <paramref name="chunk"/>); best effort, never fails.</summary>
    public virtual void Advise(int chunk, ChunkEntry entry, MemoryAdvice advice)
    {
    }

    /// <summary>
    /// Asks for planned chunks of the shard (ascending) to be read ahead of use; best effort, never fails. By default a
    /// <see cref="MemoryAdvice.WillNeed"/> hint per chunk (<see cref="Advise"/>); sources that read ahead themselves
    /// start reading.
    /// </summary>
    public virtual void ReadAhead(IReadOnlyList<(int Chunk, ChunkEntry Entry)> chunks)
    {
        foreach ((int chunk, ChunkEntry entry) in chunks)
        {
            Advise(chunk, entry, MemoryAdvice.WillNeed);
        }
    }

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Close();
        }
    }

    /// <summary>Frees what the shard holds open; called once, when the last reference is released.</summary>
    protected abstract void Close();
}
