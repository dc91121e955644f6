using System.Buffers;
using ShardStore.Format;

namespace ShardStore.Internals.Sources;

/// <summary>
/// Chunks read ahead of use and held until read: chunks that lie next to each other in a shard are read together,
/// with one request of up to the run limit into one buffer, and each chunk is handed once, to the read that asks for
/// it (<see cref="TryTake"/>). At most the budget's bytes of chunks are held; a chunk beyond it is not read ahead (it
/// is read when asked for). A run's buffer goes back to its pool when its last chunk was taken or dropped and its
/// read ended. A run that fails is forgotten, so a read of its chunks asks afresh and reports its own error. Both
/// sources that read ahead build on it: <see cref="RemoteChunkFetcher"/> and <see cref="LocalReadAhead"/>. Thread-safe.
/// </summary>
internal sealed class ChunkReadAhead(long budgetBytes, int maxRunBytes, int lengthAlignment, Func<int, IMemoryOwner<byte>> rentBuffer) : IDisposable
{
    /// <summary>Starts reading a shard from <paramref name="offset"/> on into <paramref name="destination"/> (as much as the shard holds); the task gives how many bytes were read.</summary>
    public delegate Task<int> RunReader(long offset, Memory<byte> destination, CancellationToken cancellationToken);

    private readonly CancellationTokenSource _closing = new();

    // Guarded by _lock: the chunks held (read or being read) and not yet taken, their stored bytes, and whether
    // the read-ahead was disposed.
    private readonly Lock _lock = new();
    private readonly Dictionary<(int Shard, int Chunk), Held> _held = [];
    private long _heldBytes;
    private bool _closed;

    // Interlocked: chunks handed to a read, and the time reads waited for theirs to arrive.
    private long _taken;
    private long _waitTicks;

    /// <summary>Gets the stored bytes of chunks read or being read ahead and not yet taken.</summary>
    public long HeldBytes
    {
        get
        {
            lock (_lock)
            {
                return _heldBytes;
            }
        }
    }

    /// <summary>Gets how many chunks were handed to the read that asked for them.</summary>
    public long ChunksTaken => Interlocked.Read(ref _taken);

    /// <summary>Gets how long reads waited for chunks being read ahead to arrive, summed over readers.</summary>
    public TimeSpan WaitTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitTicks));

    /// <summary>Gets whether a chunk is held or being read.</summary>
    public bool Holds(int shard, int chunk)
    {
        lock (_lock)
        {
            return _held.ContainsKey((shard, chunk));
        }
    }

    /// <summary>
    /// Starts reading the <paramref name="chunks"/> of one shard (ascending) that are not held yet, runs of adjacent
    /// chunks with one <paramref name="read"/> each, as far as the budget allows.
    /// </summary>
    public void Start(int shard, IReadOnlyList<(int Chunk, ChunkEntry Entry)> chunks, RunReader read)
    {
        lock (_lock)
        {
            if (chunks.Any(c => _held.ContainsKey((shard, c.Chunk))))
            {
                chunks = [.. chunks.Where(c => !_held.ContainsKey((shard, c.Chunk)))];
            }
        }

        int i = 0;
        while (i < chunks.Count)
        {
            // A run: each next chunk starts within an alignment gap of the previous one's end.
            int end = i + 1;
            long first = chunks[i].Entry.Offset;
            while (end < chunks.Count
                && chunks[end].Chunk == chunks[end - 1].Chunk + 1
                && chunks[end].Entry.Offset - chunks[end - 1].Entry.End < FormatConstants.ChunkAlignment
                && chunks[end].Entry.End - first <= maxRunBytes)
            {
                end++;
            }

            if (!TryStartRun(shard, chunks, i, end, read))
            {
                return;
            }

            i = end;
        }
    }

    /// <summary>
    /// Copies a held chunk into <paramref name="destination"/> (its stored size), waiting for its read to end; false when
    /// the chunk is not held or its read failed or came short (the caller then reads it itself).
    /// </summary>
    public bool TryTake(int shard, int chunk, Span<byte> destination)
    {
        if (!TryBorrow(shard, chunk, out BorrowedChunk borrowed))
        {
            return false;
        }

        using (borrowed)
        {
            if (borrowed.Bytes.Length != destination.Length)
            {
                return false;
            }

            borrowed.Bytes.CopyTo(destination);
            return true;
        }
    }

    /// <summary>
    /// Hands out a held chunk's bytes where they were read, waiting for its read to end, so a reader can check and decode
    /// them without copying them first; dispose the result when done. False when the chunk is not held or its read
    /// failed or came short (the caller then reads it itself).
    /// </summary>
    public bool TryBorrow(int shard, int chunk, out BorrowedChunk borrowed)
    {
        borrowed = default;
        Held held;
        lock (_lock)
        {
            if (!_held.Remove((shard, chunk), out held))
            {
                return false;
            }

            _heldBytes -= held.Length;
        }

        bool handedOut = false;
        try
        {
            int read;
            if (held.Run.Read.IsCompleted)
            {
                read = held.Run.Read.GetAwaiter().GetResult();
            }
            else
            {
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    read = held.Run.Read.GetAwaiter().GetResult();
                }
                finally
                {
                    Interlocked.Add(ref _waitTicks, System.Diagnostics.Stopwatch.GetTimestamp() - start);
                }
            }

            if (read < held.OffsetInRun + held.Length)
            {
                return false;
            }

            borrowed = new BorrowedChunk(held.Run, held.OffsetInRun, held.Length);
            handedOut = true;
            Interlocked.Increment(ref _taken);
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidDataException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The read that asked for it now reads it itself and reports what it meets.
            return false;
        }
        finally
        {
            if (!handedOut)
            {
                held.Run.Release();
            }
        }
    }

    /// <summary>Forgets every held chunk (the reader that asked for them stopped); their bytes leave the budget.</summary>
    public void Drop()
    {
        List<Held> dropped;
        lock (_lock)
        {
            dropped = [.. _held.Values];
            _held.Clear();
            _heldBytes = 0;
        }

        dropped.ForEach(h => h.Run.Release());
    }

    /// <summary>Cancels the reads not started and drops every held chunk; later starts do nothing.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
        }

        _closing.Cancel();
        Drop();
    }

    private bool TryStartRun(int shard, IReadOnlyList<(int Chunk, ChunkEntry Entry)> chunks, int from, int to, RunReader read)
    {
        long first = chunks[from].Entry.Offset;
        long stored = 0;
        for (int k = from; k < to; k++)
        {
            stored += chunks[k].Entry.StoredSize;
        }

        lock (_lock)
        {
            if (_closed || _heldBytes + stored > budgetBytes)
            {
                return false;
            }

            // Reserved now, so concurrent starts cannot overrun the budget together.
            _heldBytes += stored;
        }

        long span = chunks[to - 1].Entry.End - first;
        int length = (int)((span + lengthAlignment - 1) / lengthAlignment * lengthAlignment);

        // One reference for each chunk handed out and one for the read itself.
        var run = new ReadAheadRun(rentBuffer(length), to - from + 1);
        Task<int> reading;
        try
        {
            reading = read(first, run.Buffer.Memory[..length], _closing.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or UnauthorizedAccessException)
        {
            reading = Task.FromException<int>(e);
        }

        run.Read = reading;
        var dropped = new List<Held>();
        lock (_lock)
        {
            for (int k = from; k < to; k++)
            {
                ChunkEntry entry = chunks[k].Entry;
                var held = new Held(run, (int)(entry.Offset - first), (int)entry.StoredSize);
                if (_closed || !_held.TryAdd((shard, chunks[k].Chunk), held))
                {
                    // Closed meanwhile, or another start got there first.
                    _heldBytes -= held.Length;
                    dropped.Add(held);
                }
            }
        }

        dropped.ForEach(h => h.Run.Release());
        _ = reading.ContinueWith((done, state) => ((ChunkReadAhead)state!).Ended(run, done), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    // A failed run is forgotten at once: it holds no budget, and no later read takes its stale error.
    private void Ended(ReadAheadRun run, Task<int> done)
    {
        if (!done.IsCompletedSuccessfully)
        {
            _ = done.Exception; // observed
            var dropped = new List<Held>();
            lock (_lock)
            {
                foreach (KeyValuePair<(int Shard, int Chunk), Held> h in _held.Where(h => h.Value.Run == run).ToList())
                {
                    _held.Remove(h.Key);
                    _heldBytes -= h.Value.Length;
                    dropped.Add(h.Value);
                }
            }

            dropped.ForEach(h => h.Run.Release());
        }

        run.Release();
    }

    private readonly record struct Held(ReadAheadRun Run, int OffsetInRun, int Length);
}
