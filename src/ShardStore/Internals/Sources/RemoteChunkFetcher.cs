using System.Buffers;
using System.Diagnostics;
using ShardStore.Format;
using ShardStore.Internals.Caching;
using ShardStore.Storage;

namespace ShardStore.Internals.Sources;

/// <summary>
/// Fetches chunks of a remote dataset's shards by ranged reads: on demand when a chunk is read, and ahead of use when
/// the loader's plan names the chunks to come (<see cref="Prefetch"/>). Prefetches (a <see cref="ChunkReadAhead"/>)
/// coalesce chunks that lie next to each other in a shard into one request of up to <see cref="MaxRequestBytes"/>,
/// into pooled buffers, keep up to <see cref="MaxRequestsInFlight"/> requests running, and hold at most the prefetch
/// budget of fetched bytes not yet read; a hint that does not fit is dropped (the chunk is then fetched when read). With a node-local
/// <see cref="ChunkFileCache"/>, a chunk is looked up there before it is fetched, and a fetched chunk is stored there
/// once it passed its checksum; chunks the cache holds are not prefetched. Thread-safe.
/// </summary>
internal sealed class RemoteChunkFetcher(IObjectStorage storage, long prefetchBudgetBytes) : IDisposable
{
    /// <summary>The largest request a prefetch makes of adjacent chunks.</summary>
    public const int MaxRequestBytes = 16 << 20;

    /// <summary>How many prefetch requests run at once.</summary>
    public const int MaxRequestsInFlight = 16;

    private readonly SemaphoreSlim _inFlight = new(MaxRequestsInFlight);

    // Set once before the dataset is shared.
    private ChunkFileCache? _cache;
    private readonly CancellationTokenSource _closing = new();

    // Thread-safe itself: chunks fetched ahead and not yet read.
    private readonly ChunkReadAhead _prefetched = new(prefetchBudgetBytes, MaxRequestBytes, 1, MemoryPool<byte>.Shared.Rent);

    // Interlocked: what was fetched and how long readers waited for it.
    private long _requests;
    private long _bytesFetched;
    private long _prefetchHits;
    private long _waitTicks;
    private long _cacheWriteFailures;

    /// <summary>Gets or sets (once, before any read) the node-local cache; the fetcher disposes it.</summary>
    public ChunkFileCache? Cache
    {
        get => _cache;
        set => _cache = value;
    }

    /// <summary>Gets how many verified chunks could not be stored in the cache (its lock timed out or a write failed); the reads went on.</summary>
    public long CacheWriteFailures => Interlocked.Read(ref _cacheWriteFailures);

    public long Requests => Interlocked.Read(ref _requests);

    public long BytesFetched => Interlocked.Read(ref _bytesFetched);

    public long PrefetchHits => Interlocked.Read(ref _prefetchHits);

    public TimeSpan WaitTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitTicks));

    /// <summary>Reads a chunk's stored bytes: from a prefetch when one holds it, else from the cache, else with one ranged read.</summary>
    /// <returns>Whether the bytes came from the cache.</returns>
    /// <exception cref="InvalidDataException">The object was replaced since the dataset was opened.</exception>
    /// <exception cref="IOException">The store did not answer before its deadline.</exception>
    public bool Read(string name, ObjectVersion version, int shard, int chunk, ChunkEntry entry, Span<byte> destination)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            // A prefetch that failed (perhaps long ago, during an outage that is over) is not taken: this read asks
            // afresh and reports its own outcome, naming this chunk's range.
            if (_prefetched.TryTake(shard, chunk, destination))
            {
                Interlocked.Increment(ref _prefetchHits);
                return false;
            }

            if (_cache?.TryRead(shard, chunk, destination) == true)
            {
                return true;
            }

            // Chunks are megabytes: a pooled buffer, not a new large-object allocation per fetch.
            byte[] buffer = ArrayPool<byte>.Shared.Rent(destination.Length);
            try
            {
                Fetch(name, version, entry.Offset, buffer.AsMemory(0, destination.Length), _closing.Token).AsTask().GetAwaiter().GetResult();
                buffer.AsSpan(0, destination.Length).CopyTo(destination);
                return false;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        finally
        {
            Interlocked.Add(ref _waitTicks, Stopwatch.GetTimestamp() - start);
        }
    }

    /// <summary>Reads an arbitrary range (the shard's header and table at open).</summary>
    public void ReadRange(string name, ObjectVersion version, long offset, byte[] destination) =>
        Fetch(name, version, offset, destination, _closing.Token).AsTask().GetAwaiter().GetResult();

    /// <summary>Called when a chunk read through <see cref="Read"/> passed its checksum: one fetched from the store is cached.</summary>
    public void Verified(int shard, int chunk, ReadOnlySpan<byte> stored, bool fromCache)
    {
        if (_cache is null || fromCache)
        {
            return;
        }

        try
        {
            _cache.TryWrite(shard, chunk, stored);
        }
        catch (Exception e) when (e is IOException or TimeoutException or UnauthorizedAccessException)
        {
            // The cache only saves fetches; the chunk in hand is good.
            Interlocked.Increment(ref _cacheWriteFailures);
        }
    }

    /// <summary>Called when a chunk read through <see cref="Read"/> failed its checksum: a cached copy is deleted, so the next read fetches it.</summary>
    public void Forget(int shard, int chunk)
    {
        try
        {
            _cache?.Remove(shard, chunk);
        }
        catch (TimeoutException)
        {
            // The next read finds the same bad copy and fails its checksum again, then tries once more.
        }
    }

    /// <summary>Reads an arbitrary range without blocking a thread.</summary>
    public ValueTask ReadRangeAsync(string name, ObjectVersion version, long offset, byte[] destination, CancellationToken cancellationToken) =>
        Fetch(name, version, offset, destination, cancellationToken);


    /// <summary>
    /// Starts fetching <paramref name="chunks"/> of one shard (chunk indices ascending) that are neither fetched nor
    /// cached yet, runs of adjacent chunks in one request each, as far as the prefetch budget allows.
    /// </summary>
    public void Prefetch(string name, ObjectVersion version, int shard, IReadOnlyList<(int Chunk, ChunkEntry Entry)> chunks)
    {
        if (_cache is { } cache && chunks.Any(c => cache.Contains(shard, c.Chunk)))
        {
            chunks = [.. chunks.Where(c => !cache.Contains(shard, c.Chunk))];
        }

        _prefetched.Start(shard, chunks, (offset, destination, cancellationToken) => FetchRunAsync(name, version, offset, destination, cancellationToken));
    }

    /// <summary>Forgets every prefetch not yet read (a loader that asked for them stopped); their bytes leave the budget.</summary>
    public void DropPrefetches() => _prefetched.Drop();

    public void Dispose()
    {
        _closing.Cancel();
        _prefetched.Dispose();
        _cache?.Dispose();
    }

    private async Task<int> FetchRunAsync(string name, ObjectVersion version, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Fetch(name, version, offset, destination, cancellationToken).ConfigureAwait(false);
            return destination.Length;
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private ValueTask Fetch(string name, ObjectVersion version, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytesFetched, destination.Length);
        return storage.ReadAsync(name, version, offset, destination, cancellationToken);
    }
}
