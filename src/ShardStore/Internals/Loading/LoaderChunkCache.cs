using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ShardStore.Format;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// The loader's chunks in use: each chunk is copied out of the file (and decoded) into a buffer from the loader's
/// budget once, however many workers need it at the same time, and kept while the budget allows so that later
/// batches of the same window find it in memory. It also remembers the layout of every chunk it has read, so
/// that a verified uncompressed chunk can later be read in parts straight into a batch.
/// </summary>
internal sealed class LoaderChunkCache : IDisposable
{
    private readonly ILoaderSource _dataset;
    private readonly ChunkIndex _layout;
    private readonly ChunkBufferPool _pool;
    private readonly int _maxEntries;
    private readonly LoaderChunkReader _reader;
    private readonly bool _byPriority;
    private readonly object _sync = new();

    // Guarded by _sync: the chunks in use or cached, the unpinned ones in eviction order, whether the cache was
    // disposed, and each chunk's pins, readiness, error and place on the idle list.
    private readonly Dictionary<int, CachedChunk> _entries = [];
    private readonly LinkedList<CachedChunk> _idle = new();
    private bool _disposed;

    // Written once per chunk with Volatile.Write, read without a lock: the layout of every chunk read so far.
    private readonly FieldSection[]?[] _sections;

    // Read and written without a lock (a hint): whether a worker waits for a buffer.
    private volatile bool _underPressure;

    // byPriority: evict the idle chunk with the lowest priority (its place in the epoch's chunk schedule, so chunks
    // of finished windows go first) instead of the least recently released one.
    public LoaderChunkCache(ILoaderSource dataset, ChunkIndex layout, MemoryBudget budget, int maxEntries, LoaderChunkReader reader, bool byPriority)
    {
        _byPriority = byPriority;
        _dataset = dataset;
        _layout = layout;
        _pool = new ChunkBufferPool(budget);
        _maxEntries = maxEntries;
        _reader = reader;
        _sections = new FieldSection[]?[layout.ChunkCount];
    }

    /// <summary>Gets the number of entries (for leak checks).</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Gets whether a worker waits for a buffer because every cached chunk is pinned: workers that keep chunks
    /// pinned between batches must then let them go.
    /// </summary>
    public bool UnderPressure => _underPressure;

    /// <summary>Returns the layout of a chunk this cache has read before (whether still cached or not), or null.</summary>
    public FieldSection[]? KnownSections(int chunk) => Volatile.Read(ref _sections[chunk]);

    /// <summary>Returns the chunk pinned until <see cref="Release"/> if it is cached and ready; null (nothing pinned) otherwise.</summary>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    public CachedChunk? TryAcquireReady(int chunk, long priority)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(chunk, out CachedChunk? entry) || !entry.IsReady)
            {
                return null;
            }

            Pin(entry, priority);
            return entry;
        }
    }

    // Takes the entry off the idle list (if it was there) and counts one more user; callers hold _sync.
    private void Pin(CachedChunk entry, long priority)
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        entry.Pins++;
        entry.Priority = Math.Max(entry.Priority, priority);
        if (entry.Node is { } node)
        {
            _idle.Remove(node);
            entry.Node = null;
        }
    }

    /// <summary>
    /// Returns the chunk, pinned until <see cref="Release"/>; reads and decodes it if no worker has. When another
    /// worker is reading it and <paramref name="wait"/> is false, returns null at once (nothing pinned), so the
    /// caller can work on other chunks meanwhile. <paramref name="storedScratch"/> is the caller's room for a
    /// compressed chunk's stored bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">The chunk is corrupt, or the file ends inside it.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    public CachedChunk? Acquire(int chunk, long priority, bool wait, byte[] storedScratch, CancellationToken cancellationToken)
    {
        CachedChunk? entry;
        bool load = false;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(chunk, out entry))
            {
                if (!entry.IsReady && !wait)
                {
                    return null;
                }

                Pin(entry, priority);
                if (entry.IsReady)
                {
                    return entry;
                }
            }
            else
            {
                entry = new CachedChunk(chunk) { Priority = priority };
                _entries.Add(chunk, entry);
                load = true;
            }
        }

        if (load)
        {
            Load(entry, storedScratch, cancellationToken);
            return entry;
        }

        try
        {
            entry.Done.Wait(cancellationToken);
        }
        catch
        {
            Release(entry);
            throw;
        }

        if (entry.Error is { } error)
        {
            Release(entry);
            error.Throw();
        }

        return entry;
    }

    /// <summary>Unpins a chunk from <see cref="Acquire"/>; it stays cached while room allows.</summary>
    public void Release(CachedChunk entry)
    {
        var evicted = new List<CachedChunk>();
        bool disposed;
        lock (_sync)
        {
            if (--entry.Pins > 0 || !entry.IsReady)
            {
                return;
            }

            if (entry.Error is not null || _disposed)
            {
                Forget(entry, evicted);
            }
            else
            {
                entry.Node = _idle.AddFirst(entry);
                while (_entries.Count > _maxEntries && Victim(needBuffer: false) is { } victim)
                {
                    Forget(victim, evicted);
                }
            }

            Monitor.PulseAll(_sync);
            disposed = _disposed;
        }

        FreeAll(evicted);
        if (disposed)
        {
            // A chunk pinned when the cache was disposed: its buffer goes back to the budget, not to the pool's spares.
            _pool.Trim();
        }
    }

    /// <summary>Evicts every idle chunk and drops the pool's spare buffers, giving their bytes back to the budget.</summary>
    public void TrimIdle()
    {
        var evicted = new List<CachedChunk>();
        lock (_sync)
        {
            while (_idle.Last is { } last)
            {
                Forget(last.Value, evicted);
            }
        }

        FreeAll(evicted);
        _pool.Trim();
    }

    public void Dispose()
    {
        var evicted = new List<CachedChunk>();
        lock (_sync)
        {
            _disposed = true;
            while (_idle.Last is { } last)
            {
                Forget(last.Value, evicted);
            }

            Monitor.PulseAll(_sync);
        }

        FreeAll(evicted);
        _pool.Trim();
    }

    private void Load(CachedChunk entry, byte[] storedScratch, CancellationToken cancellationToken)
    {
        try
        {
            // The buffer goes on the entry as soon as it is rented, so a failed read returns it to the pool.
            entry.Sections = _reader.Read(entry.Chunk, size => entry.Buffer = RentBuffer(size, cancellationToken), storedScratch, out int length);
            entry.Length = length;
            Volatile.Write(ref _sections[entry.Chunk], entry.Sections);
        }
        catch (Exception e)
        {
            lock (_sync)
            {
                entry.Error = ExceptionDispatchInfo.Capture(e);
                _entries.Remove(entry.Chunk);
                entry.Pins--;
            }

            entry.Done.Set();
            FreeAll([entry]);
            throw;
        }

        lock (_sync)
        {
            entry.IsReady = true;
        }

        entry.Done.Set();
    }

    private byte[] RentBuffer(int size, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_pool.TryRent(size, out byte[] buffer))
            {
                _underPressure = false;
                return buffer;
            }

            CachedChunk? victim;
            lock (_sync)
            {
                victim = Victim(needBuffer: true);
                if (victim is not null)
                {
                    var evicted = new List<CachedChunk>(1);
                    Forget(victim, evicted);
                }
                else
                {
                    // Every cached chunk is pinned by a worker gathering from it (or keeping it pinned, which it
                    // stops doing under pressure); one of them will let go soon.
                    _underPressure = true;
                    Monitor.Wait(_sync, 20);
                }
            }

            if (victim is not null)
            {
                FreeAll([victim]);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    // Called under _sync: the idle entry to evict next (one holding a decoded buffer when needBuffer), or null.
    private CachedChunk? Victim(bool needBuffer)
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        CachedChunk? best = null;
        for (LinkedListNode<CachedChunk>? node = _idle.Last; node is not null; node = node.Previous)
        {
            CachedChunk e = node.Value;
            if (needBuffer && e.Buffer is null)
            {
                continue;
            }

            if (!_byPriority)
            {
                return e;
            }

            if (best is null || e.Priority < best.Priority)
            {
                best = e;
            }
        }

        return best;
    }

    // Called under _sync: takes the entry out of the cache; FreeAll releases its memory outside the lock.
    private void Forget(CachedChunk entry, List<CachedChunk> evicted)
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        if (entry.Node is { } node)
        {
            _idle.Remove(node);
            entry.Node = null;
        }

        if (_entries.TryGetValue(entry.Chunk, out CachedChunk? current) && current == entry)
        {
            _entries.Remove(entry.Chunk);
        }

        evicted.Add(entry);
    }

    private void FreeAll(List<CachedChunk> evicted)
    {
        foreach (CachedChunk e in evicted)
        {
            if (e.Buffer is { } buffer)
            {
                _pool.Return(buffer);
                e.Buffer = null;
            }
        }
    }

    /// <summary>One chunk in use or cached: its raw bytes (copied, and decoded if compressed) and field sections.</summary>
    internal sealed class CachedChunk(int chunk)
    {
        public int Chunk { get; } = chunk;

        public int Pins { get; set; } = 1;

        /// <summary>Gets or sets the eviction priority (higher is kept longer).</summary>
        public long Priority { get; set; }

        public bool IsReady { get; set; }

        public ManualResetEventSlim Done { get; } = new(false);

        public ExceptionDispatchInfo? Error { get; set; }

        public byte[]? Buffer { get; set; }

        public int Length { get; set; }

        public FieldSection[] Sections { get; set; } = [];

        public LinkedListNode<CachedChunk>? Node { get; set; }

        /// <summary>Gets the raw chunk in its on-disk layout.</summary>
        public ReadOnlySpan<byte> Raw => Buffer.AsSpan(0, Length);
    }
}
