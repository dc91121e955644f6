using ShardStore.Format;
using ShardStore.Storage;

namespace ShardStore.Internals.Sources;

/// <summary>
/// A shard object in an object store, pinned to the version seen at open: every read asks for that version, so a
/// replaced object fails a read instead of mixing bytes of two datasets. Holds nothing open; closing frees nothing.
/// Chunks come from the dataset's <see cref="RemoteChunkFetcher"/>; small reads at open (header, chunk table) from
/// ranges fetched ahead (<see cref="Preload"/>).
/// </summary>
internal sealed class RemoteShard(RemoteChunkFetcher fetcher, int shard, string objectName, string uri, ObjectVersion version) : OpenShard(uri, version.Length)
{
    // Set once by Preload before the shard is shared; read-only after.
    private (long Offset, byte[] Bytes)[] _preloaded = [];

    public ObjectVersion Version => version;

    /// <summary>Every fetch of a remote chunk is checked: the bytes cross a network.</summary>
    public override bool TrustsVerifiedChunks => false;

    /// <summary>Fetches ranges the next reads will ask for, in parallel (the header and the table at open).</summary>
    public async Task Preload(IEnumerable<(long Offset, int Length)> ranges, CancellationToken cancellationToken)
    {
        _preloaded = await Task.WhenAll(ranges.Select(async r =>
        {
            byte[] bytes = GC.AllocateUninitializedArray<byte>(r.Length);
            await fetcherRead(r.Offset, bytes, cancellationToken).ConfigureAwait(false);
            return (r.Offset, bytes);
        })).ConfigureAwait(false);

        ValueTask fetcherRead(long offset, byte[] bytes, CancellationToken token) => fetcher.ReadRangeAsync(objectName, version, offset, bytes, token);
    }

    /// <summary>Drops the preloaded ranges once the shard is validated.</summary>
    public void ForgetPreloaded() => _preloaded = [];

    public override int Read(long offset, Span<byte> destination)
    {
        if (offset >= Length)
        {
            return 0;
        }

        destination = destination[..(int)Math.Min(destination.Length, Length - offset)];
        foreach ((long start, byte[] bytes) in _preloaded)
        {
            if (offset >= start && offset + destination.Length <= start + bytes.Length)
            {
                bytes.AsSpan((int)(offset - start), destination.Length).CopyTo(destination);
                return destination.Length;
            }
        }

        byte[] buffer = GC.AllocateUninitializedArray<byte>(destination.Length);
        fetcher.ReadRange(objectName, version, offset, buffer);
        buffer.CopyTo(destination);
        return destination.Length;
    }

    public override int ReadChunk(int chunk, ChunkEntry entry, Span<byte> destination, out bool fromCache)
    {
        fromCache = fetcher.Read(objectName, version, shard, chunk, entry, destination);
        return destination.Length;
    }

    public override void ChunkVerified(int chunk, ReadOnlySpan<byte> stored, bool fromCache) => fetcher.Verified(shard, chunk, stored, fromCache);

    // Fetched again (a cached copy deleted first), the bytes may arrive intact.
    public override bool ChunkCorrupt(int chunk)
    {
        fetcher.Forget(shard, chunk);
        return true;
    }

    // A version is pinned by every read, so nothing can change under a read that succeeded.
    public override string? DescribeChange() => null;

    /// <summary>Starts fetching chunks of this shard ahead of use, adjacent ones in one request.</summary>
    public override void ReadAhead(IReadOnlyList<(int Chunk, ChunkEntry Entry)> chunks) => fetcher.Prefetch(objectName, version, shard, chunks);

    protected override void Close()
    {
    }
}
