using ShardStore.Format;
using ShardStore.Internals.Memory;

namespace ShardStore.Internals.Sources;

/// <summary>
/// Reads planned chunks of local shards ahead of use when reads bypass the page cache (<c>O_DIRECT</c>), where the
/// kernel reads nothing ahead: runs of adjacent chunks in one request each, straight into aligned buffers, with
/// <see cref="ReadThreads"/> requests in flight, within a byte budget the loader's read-ahead depth sets
/// (<see cref="ShardDatasetOptions.ReadAheadBytes"/>). A chunk read ahead is handed to the read that asks for it
/// (<see cref="DirectShard.ReadChunk"/>), which checks it like any other. Thread-safe.
/// </summary>
internal sealed class LocalReadAhead : IDisposable
{
    /// <summary>The largest request of adjacent chunks.</summary>
    public const int MaxRunBytes = 8 << 20;

    /// <summary>How many reads run at once.</summary>
    public const int ReadThreads = 8;

    private readonly AlignedBufferPool _buffers;
    private readonly ChunkReadAhead _chunks;
    private readonly FileReadThreads _threads = new(ReadThreads, "ShardStore read-ahead");

    /// <summary>Creates a read-ahead that holds at most <paramref name="budgetBytes"/> of chunks not yet read.</summary>
    public LocalReadAhead(long budgetBytes)
    {
        // Runs are rounded up to 4 KiB blocks and 64 KiB buffers: keep a little more than the budget, so that the
        // buffers of a full read-ahead all come back to the pool instead of being freed and allocated again.
        _buffers = new AlignedBufferPool(budgetBytes + (budgetBytes / 8));
        _chunks = new ChunkReadAhead(budgetBytes, MaxRunBytes, AlignedBufferPool.Alignment, _buffers.Rent);
    }

    /// <summary>Gets the stored bytes read or being read ahead and not yet taken.</summary>
    public long HeldBytes => _chunks.HeldBytes;

    /// <summary>Gets how many chunks reads took from the read-ahead.</summary>
    public long ChunksTaken => _chunks.ChunksTaken;

    /// <summary>Gets how long reads waited for chunks being read ahead.</summary>
    public TimeSpan WaitTime => _chunks.WaitTime;

    /// <summary>Starts reading <paramref name="chunks"/> (ascending) of shard <paramref name="index"/>, open as <paramref name="shard"/>, which stays open until the reads end.</summary>
    public void Start(DirectShard shard, int index, IReadOnlyList<(int Chunk, ChunkEntry Entry)> chunks) =>
        _chunks.Start(index, chunks, (offset, destination, cancellationToken) =>
        {
            shard.AddReference();
            try
            {
                return _threads.Run(() =>
                {
                    try
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        return shard.ReadDirectInto(offset, destination.Span);
                    }
                    finally
                    {
                        shard.Release();
                    }
                });
            }
            catch (ObjectDisposedException)
            {
                shard.Release();
                throw;
            }
        });

    /// <summary>Copies a chunk read ahead into <paramref name="destination"/>; false when it was not read ahead (or its read failed).</summary>
    public bool TryTake(int index, int chunk, Span<byte> destination) => _chunks.TryTake(index, chunk, destination);

    /// <summary>Lends a chunk read ahead where it lies (dispose it when done); false when it was not read ahead (or its read failed).</summary>
    public bool TryBorrow(int index, int chunk, out BorrowedChunk borrowed) => _chunks.TryBorrow(index, chunk, out borrowed);

    /// <summary>Forgets the chunks read ahead and not taken (the loader that planned them stopped).</summary>
    public void Drop() => _chunks.Drop();

    public void Dispose()
    {
        _chunks.Dispose();
        _threads.Dispose();
        _buffers.Dispose();
    }
}
