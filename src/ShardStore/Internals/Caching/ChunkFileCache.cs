using Microsoft.Win32.SafeHandles;
using ShardStore.Storage;

namespace ShardStore.Internals.Caching;

/// <summary>
/// A node-local directory of chunks of remote datasets with a hard byte limit, shared by every process of the
/// machine that opens it, and kept across restarts.
/// </summary>
/// <remarks>
/// <para>Layout of the directory:</para>
/// <list type="bullet">
/// <item><c>cache.lock</c>: the lock file; every change to the directory's usage is made holding it (see <see cref="CacheDirectoryLock"/>).</item>
/// <item><c>cache.state</c>: the usage (see <see cref="CacheStateFile"/>): every entry with its length and last use, every reservation.</item>
/// <item><c>&lt;datasetKey&gt;/&lt;shard&gt;/&lt;chunk&gt;</c>: an entry, exactly the chunk's stored bytes (shard and chunk in decimal).</item>
/// <item><c>&lt;datasetKey&gt;/&lt;shard&gt;/&lt;chunk&gt;.&lt;size&gt;.&lt;token&gt;.tmp</c>: an entry being written, counted at its reserved size.</item>
/// </list>
/// <para>
/// The limit bounds the sum of the entries' lengths plus the reserved size of every write in progress, over every
/// process. A write reserves under the lock (loading the state, evicting until the entry fits, creating the
/// temporary file, saving the state), writes the bytes without the lock, then under the lock again renames the
/// file into place (an atomic rename: a reader sees the whole entry or none) or, if another process stored the
/// same chunk meanwhile, drops its copy. Readers take no lock: they open the entry and read it; an entry evicted
/// before the open is a miss, one evicted after it is still read whole (the open file outlives the unlink).
/// </para>
/// <para>
/// The state is rebuilt from the files on every <see cref="Open(string, long, string)"/>, and whenever it is
/// missing or fails its checksum (a crash mid-write), so it heals itself; temporary files not written for some
/// minutes belong to a dead writer and are deleted, at that scan or by the next holder of the lock.
/// </para>
/// <para>
/// Recency for least-recently-used eviction is the state's last use of each entry: its write, and the reads of this
/// process, which are kept in memory (no system call on a hit) and merged into the state the next time this process
/// holds the lock (its next write, or <see cref="Dispose"/>). Reads of another process count once that process
/// writes. This costs a hit nothing, and the order among entries read moments apart does not matter to eviction.
/// </para>
/// <para>
/// Each change appends a few journal records to the state file and reads those other processes appended since
/// (O(changes)); a snapshot, O(entries), is written when the journal outgrows the last one. Choosing victims ranks
/// every entry, O(entries), once per write that needs room. Thread-safe; the lock also orders the threads of one
/// process.
/// </para>
/// </remarks>
internal sealed partial class ChunkFileCache : IDisposable
{
    internal static readonly TimeSpan s_defaultLockTimeout = TimeSpan.FromSeconds(30);
    internal static readonly TimeSpan s_defaultStrayAge = TimeSpan.FromMinutes(10);

    // A journal shorter than this is never compacted, however small the snapshot.
    private const long MinJournalBytes = 64 * 1024;

    private readonly string _root;
    private readonly string _statePath;
    private readonly long _limit;
    private readonly string _key;
    private readonly TimeSpan _strayAge;
    private readonly TimeSpan _lockTimeout;
    private readonly CacheDirectoryLock _lock;

    // Guarded by _hitsSync: the entries this process read since it last saved the state, with their last read (UTC ticks).
    private readonly object _hitsSync = new();
    private Dictionary<(int Shard, int Chunk), long> _pendingHits = [];

    // Guarded by the directory lock (held by one thread of this process at a time): the state as this instance last
    // saved it (null after a failed change), the epoch of the file's snapshot, where its journal starts and ends,
    // and whether the next save must write a snapshot (after a scan).
    private CacheState? _cached;
    private ulong _epoch;
    private long _snapshotLength;
    private long _fileLength;
    private bool _snapshotDue;

    // Interlocked: the counters behind Statistics; _bytesOnDisk is written under the directory lock.
    private long _hits;
    private long _misses;
    private long _bytesWritten;
    private long _bytesEvicted;
    private long _entriesEvicted;
    private long _declinedWrites;
    private long _lockWaitTicks;
    private long _bytesOnDisk;

    // Volatile: the oracle, set by the loader at any time and read once per write. Interlocked: 1 once disposed.
    private volatile INextUseOracle? _nextUse;
    private int _disposed;

    private ChunkFileCache(string root, long limitBytes, string datasetKey, TimeSpan lockTimeout, TimeSpan strayAge)
    {
        _root = root;
        _statePath = Path.Combine(root, CacheLayout.StateFileName);
        _limit = limitBytes;
        _key = datasetKey;
        _strayAge = strayAge;
        _lockTimeout = lockTimeout;
        _lock = new CacheDirectoryLock(Path.Combine(root, CacheLayout.LockFileName), lockTimeout);
    }

    /// <summary>Gets or sets the eviction order: the job's plan of next uses; null evicts the least recently used first.</summary>
    public INextUseOracle? NextUse
    {
        get => _nextUse;
        set => _nextUse = value;
    }

    /// <summary>Gets the directory of the cache (full path).</summary>
    public string Directory => _root;

    /// <summary>Gets the dataset version whose entries this instance reads and writes.</summary>
    public string DatasetKey => _key;

    /// <summary>Gets the limit on the bytes of entries and writes in progress in the directory.</summary>
    public long LimitBytes => _limit;

    public ChunkCacheStatistics Statistics => new(
        Interlocked.Read(ref _hits),
        Interlocked.Read(ref _misses),
        Interlocked.Read(ref _bytesWritten),
        Interlocked.Read(ref _bytesEvicted),
        Interlocked.Read(ref _entriesEvicted),
        Interlocked.Read(ref _declinedWrites),
        TimeSpan.FromTicks(Interlocked.Read(ref _lockWaitTicks)),
        Interlocked.Read(ref _bytesOnDisk));

    /// <summary>Opens (or creates) the cache in <paramref name="directory"/> for the dataset version <paramref name="datasetKey"/>, rebuilding its state from the files in it.</summary>
    /// <param name="directory">The cache directory; created when missing.</param>
    /// <param name="limitBytes">The hard limit on the bytes in the directory, for all processes sharing it; entries over it are evicted now.</param>
    /// <param name="datasetKey">The dataset version, 1 to 200 characters of <c>[0-9a-z-]</c>; entries of other keys are never read and are evicted first.</param>
    /// <exception cref="ArgumentException">The key is not of that form, or the limit is not positive.</exception>
    /// <exception cref="NotSupportedException">The runtime has file locking disabled.</exception>
    /// <exception cref="TimeoutException">The directory's lock was held too long by someone else.</exception>
    /// <exception cref="IOException">The directory cannot be created or read.</exception>
    public static ChunkFileCache Open(string directory, long limitBytes, string datasetKey) =>
        Open(directory, limitBytes, datasetKey, s_defaultLockTimeout, s_defaultStrayAge);

    /// <inheritdoc cref="Open(string, long, string)"/>
    /// <param name="directory">The cache directory; created when missing.</param>
    /// <param name="limitBytes">The hard limit on the bytes in the directory.</param>
    /// <param name="datasetKey">The dataset version.</param>
    /// <param name="lockTimeout">How long to wait for the directory's lock before <see cref="TimeoutException"/>.</param>
    /// <param name="strayAge">How long a temporary file may go unwritten before it is taken for a dead writer's.</param>
    internal static ChunkFileCache Open(string directory, long limitBytes, string datasetKey, TimeSpan lockTimeout, TimeSpan strayAge)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limitBytes);
        if (!CacheLayout.IsValidKey(datasetKey))
        {
            throw new ArgumentException(
                $"The cache key '{datasetKey}' must be 1 to {CacheLayout.MaxKeyLength} characters of [0-9a-z-] (e.g. the dataset identity and fingerprint).",
                nameof(datasetKey));
        }

        CacheDirectoryLock.ThrowIfLockingDisabled(directory);
        string root = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(root);
        var cache = new ChunkFileCache(root, limitBytes, datasetKey, lockTimeout, strayAge);
        cache.Rescan();
        return cache;
    }

    /// <summary>Reads the entry of (<paramref name="shard"/>, <paramref name="chunk"/>) into <paramref name="destination"/>, which must be its exact length.</summary>
    /// <returns>True on a hit; false on a miss, or for an entry of another length, which is deleted.</returns>
    public bool TryRead(int shard, int chunk, Span<byte> destination)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(chunk);
        string path = CacheLayout.EntryPath(_root, new CacheEntryName(_key, shard, chunk));
        bool wrongLength = false;
        try
        {
            using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (RandomAccess.GetLength(file) == destination.Length && ReadWhole(file, destination))
            {
                RecordHit(shard, chunk);
                Interlocked.Increment(ref _hits);
                return true;
            }

            wrongLength = true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Never stored, or evicted before the open.
        }

        Interlocked.Increment(ref _misses);
        if (wrongLength)
        {
            try
            {
                Remove(shard, chunk);
            }
            catch (TimeoutException)
            {
                // A miss all the same; the caller's write of the chunk replaces the entry.
            }
        }

        return false;
    }

    /// <summary>Stores the verified bytes of (<paramref name="shard"/>, <paramref name="chunk"/>), evicting entries as needed.</summary>
    /// <returns>
    /// True when the entry is in the cache (stored now, or already there); false without storing when it is larger
    /// than the limit, or when with <see cref="NextUse"/> every entry it would displace is needed sooner (a declined
    /// write), or when the room left is all reserved by writes in progress.
    /// </returns>
    /// <exception cref="TimeoutException">The directory's lock was held too long by someone else.</exception>
    /// <exception cref="IOException">The entry could not be written (nothing of it is left behind).</exception>
    public bool TryWrite(int shard, int chunk, ReadOnlySpan<byte> bytes)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(chunk);
        long size = bytes.Length;
        if (size > _limit)
        {
            Interlocked.Increment(ref _declinedWrites);
            return false;
        }

        var name = new CacheEntryName(_key, shard, chunk);
        INextUseOracle? oracle = _nextUse;
        long nextUse = oracle is null ? long.MaxValue : Math.Max(0, oracle.NextUse(shard, chunk));
        ulong token = (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
        string tempPath = CacheLayout.TempPath(_root, name, size, token);

        FileStream? temp = Reserve(name, size, nextUse, oracle, token, tempPath, out bool present);
        if (temp is null)
        {
            return present;
        }

        bool finished = false;
        try
        {
            using (temp)
            {
                temp.Write(bytes);
            }

            bool stored = Commit(name, size, token, tempPath);
            finished = true;
            return stored;
        }
        finally
        {
            if (!finished)
            {
                Abandon(token, tempPath);
            }
        }
    }

    /// <summary>Deletes the entry of (<paramref name="shard"/>, <paramref name="chunk"/>), if any (its bytes failed their check).</summary>
    /// <exception cref="TimeoutException">The directory's lock was held too long by someone else.</exception>
    public void Remove(int shard, int chunk)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(chunk);
        using CacheDirectoryLock.Held held = AcquireLock();
        using FileStream stateFile = CacheStateFile.Open(_statePath);
        CacheState state = LoadLocked(stateFile);
        DeleteEntryLocked(state, new CacheEntryName(_key, shard, chunk));
        SaveLocked(stateFile, state);
    }

    /// <summary>Saves this process's recent reads into the shared recency order (best effort) and closes the cache.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_hitsSync)
        {
            if (_pendingHits.Count == 0)
            {
                return;
            }
        }

        try
        {
            // Not the full bound: a dispose should not hang on a process stuck holding the lock.
            using CacheDirectoryLock.Held held = AcquireLock(TimeSpan.FromTicks(Math.Min(_lockTimeout.Ticks, TimeSpan.TicksPerSecond)));
            using FileStream stateFile = CacheStateFile.Open(_statePath);
            SaveLocked(stateFile, LoadLocked(stateFile));
        }
        catch (Exception e) when (e is IOException or TimeoutException or UnauthorizedAccessException)
        {
            // Recency is a hint: losing the last reads only makes their entries look older.
        }
    }

    private static bool ReadWhole(SafeFileHandle file, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int read = RandomAccess.Read(file, destination[done..], done);
            if (read == 0)
            {
                return false;
            }

            done += read;
        }

        return true;
    }

    private void RecordHit(int shard, int chunk)
    {
        long now = DateTime.UtcNow.Ticks;
        lock (_hitsSync)
        {
            _pendingHits[(shard, chunk)] = now;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
