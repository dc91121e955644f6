using ShardStore.Format;
using ShardStore.Internals.Memory;

namespace ShardStore.Internals.Reading;

/// <summary>
/// Where the validated chunk tables of one dataset's shards live: as few large arrays as the manifest's chunk count
/// calls for, each shard's table a contiguous run of one of them, with a verified flag per chunk beside it.
/// </summary>
/// <remarks>
/// Opening 3,000 shards of 256 chunks fills 37 MB of entries. As 9,000 small arrays (entries, first samples and flags
/// per shard, on the pinned heap) they made every open fault in about 10,000 fresh pages, most of its time; in one
/// array on the large object heap, which the GC does not compact, the next open reuses the memory, and on Linux the
/// array asks for huge pages, so even a first open faults in about a thousand. A run is taken only after its shard's
/// chunk count was checked against the file (no more chunks than 4 KiB pages before the table), so a manifest that
/// declares more chunks than the files hold only sizes an array too large (at most <see cref="MaxArrayEntries"/>
/// entries, never touched beyond the runs handed out).
/// </remarks>
internal sealed class ChunkTableArena
{
    /// <summary>The most entries in one shared array (48 MiB of entries); larger datasets get several.</summary>
    public const int MaxArrayEntries = 1 << 20;

    private readonly long _expected;

    // Guarded by _lock: the array runs are taken from, its flags, how much of it is taken, and how many entries all
    // arrays allocated so far hold.
    private readonly Lock _lock = new();
    private ChunkEntry[] _entries = [];
    private byte[] _flags = [];
    private int _used;
    private long _allocated;

    /// <param name="expectedChunks">The chunks the manifest declares: it sizes the arrays and is not trusted further.</param>
    public ChunkTableArena(long expectedChunks) => _expected = expectedChunks;

    /// <summary>Takes room for a table of <paramref name="count"/> entries, with its verified flags all clear; safe from any thread.</summary>
    public ChunkTableRun Take(int count)
    {
        lock (_lock)
        {
            if (_entries.Length - _used < count)
            {
                // What the manifest says is still to come, within [count, the cap or count]: one array for an honest
                // manifest of up to a million chunks. The rest of the array before is left unused.
                int size = (int)Math.Clamp(_expected - _allocated, count, Math.Max(count, MaxArrayEntries));

                // Uninitialized: nothing reads an entry before its shard wrote it; the flags start clear.
                _entries = GC.AllocateUninitializedArray<ChunkEntry>(size);
                _flags = new byte[size];
                _used = 0;
                _allocated += size;
                MemoryHints.AdviseHugePages(_entries);
            }

            var run = new ChunkTableRun(_entries, _flags, _used, count);
            _used += count;
            return run;
        }
    }
}
