using System.Diagnostics;
using ShardStore.Format;
using ShardStore.Internals.Caching;
using ShardStore.Storage;

namespace ShardStore.Internals.Sources;

/// <summary>
/// Fetches chunks of a remote dataset's shards by ranged reads: on demand when a chunk is read, and ahead of use when
/// the loader's plan names the chunks to come (<see cref="Prefetch"/>). Prefetches coalesce chunks that lie next to
/// each other in a shard into one request of up to <see cref="MaxRequestBytes"/>, keep up to
/// <see cref="MaxRequestsInFlight"/> requests running, and hold at most the prefetch budget of fetched bytes not yet
/// read; a hint that does not fit is dropped (the chunk is then fetched when read). With a node-local
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

    // Guarded by _lock: prefetched chunks not yet read and the bytes they hold.
    private readonly Lock _lock = new();
    private readonly Dictionary<(int Shard, int Chunk), Prefetched> _pending = [];
    private long _pendingBytes;

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
        Prefetched? prefetched;
        lock (_lock)
        {
            if (_pending.Remove((shard, chunk), out prefetched))
            {
                _pendingBytes -= prefetched.Length;
            }
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            if (prefetched is not null)
            {
                try
                {
                    byte[] range = prefetched.Range.GetAwaiter().GetResult();
                    range.AsSpan(prefetched.OffsetInRange, prefetched.Length).CopyTo(destination);
                    Interlocked.Increment(ref _prefetchHits);
                    return false;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or InvalidDataException or UnauthorizedAccessException)
                {
                    // The prefetch failed (perhaps long ago, during an outage that is over): this read asks afresh and
                    // reports its own outcome, naming this chunk's range.
                }
            }

            if (_cache?.TryRead(shard, chunk, destination) == true)
            {
                return true;
            }

            // Chunks are megabytes: a pooled buffer, not a new large-object allocation per fetch.
            byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(destination.Length);
            try
            {
                Fetch(name, version, entry.Offset, buffer.AsMemory(0, destination.Length), _closing.Token).AsTask().GetAwaiter().GetResult();
                buffer.AsSpan(0, destination.Length).CopyTo(destination);
                return false;
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
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
    /// Starts fetching <paramref name="chunks"/> of one shard (chunk indices ascending, none already held), runs of
    /// adjacent chunks in one request each, as far as the prefetch budget allows.
    /// </summary>
    public void Prefetch(string name, ObjectVersion version, int shard, IReadOnlyList<(int Chunk, ChunkEntry Entry)> chunks)
    {
        lock (_lock)
        {
            if (chunks.Any(c => _pending.ContainsKey((shard, c.Chunk)) || _cache?.Contains(shard, c.Chunk) == true))
            {
                chunks = [.. chunks.Where(c => !_pending.ContainsKey((shard, c.Chunk)) && _cache?.Contains(shard, c.Chunk) != true)];
            }
        }

        int i = 0;
        while (i < chunks.Count)
        {
            // A run: each next chunk starts within a 4 KiB alignment gap of the previous one's end.
            int end = i + 1;
            long first = chunks[i].Entry.Offset;
            while (end < chunks.Count
                && chunks[end].Chunk == chunks[end - 1].Chunk + 1
                && chunks[end].Entry.Offset - chunks[end - 1].Entry.End < FormatConstants.ChunkAlignment
                && chunks[end].Entry.End - first <= MaxRequestBytes)
            {
                end++;
            }

            if (!StartRun(name, version, shard, chunks, i, end))
            {
                return;
            }

            i = end;
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        lock (_lock)
        {
            _pending.Clear();
            _pendingBytes = 0;
        }

        _cache?.Dispose();
    }

    private bool StartRun(string name, ObjectVersion version, int shard, IReadOnlyList<(int Chunk, ChunkEntry Entry)> chunks, int from, int to)
    {
        long first = chunks[from].Entry.Offset;
        int length = (int)(chunks[to - 1].Entry.End - first);
        lock (_lock)
        {
            if (_closing.IsCancellationRequested || _pendingBytes + length > prefetchBudgetBytes)
            {
                return false;
            }

            Task<byte[]> range = FetchRunAsync(name, version, first, length);
            for (int k = from; k < to; k++)
            {
                ChunkEntry e = chunks[k].Entry;
                _pending[(shard, chunks[k].Chunk)] = new Prefetched(range, (int)(e.Offset - first), (int)e.StoredSize);
                _pendingBytes += e.StoredSize;
            }

            // A failed prefetch is forgotten at once: it holds no budget, and no later read takes its stale error.
            _ = range.ContinueWith(
                (failed, state) => ((RemoteChunkFetcher)state!).DropFailed(failed),
                this,
                CancellationToken.None,
                TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return true;
    }

    /// <summary>Forgets every prefetch not yet read (a loader that asked for them stopped); their bytes leave the budget.</summary>
    public void DropPrefetches()
    {
        lock (_lock)
        {
            _pending.Clear();
            _pendingBytes = 0;
        }
    }

    private void DropFailed(Task<byte[]> failed)
    {
        _ = failed.Exception; // observed
        lock (_lock)
        {
            foreach (KeyValuePair<(int Shard, int Chunk), Prefetched> p in _pending.Where(p => p.Value.Range == failed).ToList())
            {
                _pending.Remove(p.Key);
                _pendingBytes -= p.Value.Length;
            }
        }
    }

    private async Task<byte[]> FetchRunAsync(string name, ObjectVersion version, long offset, int length)
    {
        await _inFlight.WaitAsync(_closing.Token).ConfigureAwait(false);
        try
        {
            byte[] buffer = GC.AllocateUninitializedArray<byte>(length);
            await Fetch(name, version, offset, buffer, _closing.Token).ConfigureAwait(false);
            return buffer;
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

    private sealed record Prefetched(Task<byte[]> Range, int OffsetInRange, int Length);
}
