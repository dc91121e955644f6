using System.Diagnostics;
using ShardStore.Internals.Memory;

namespace ShardStore.Internals.Reading;

/// <summary>
/// A dataset's recently decoded (or, for sources that cannot map, copied) chunks, kept for reuse within the decode
/// budget: a buffer that the budget cannot give is made by evicting the least recently used chunk no lease holds.
/// </summary>
internal sealed class DecodedChunkCache(ChunkBufferPool pool)
{
    // Guarded by _lock: the cached chunks (each holding one reference of its own), most recently used first.
    private readonly Lock _lock = new();
    private readonly Dictionary<(int Shard, int Chunk), LinkedListNode<DecodedChunk>> _chunks = [];
    private readonly LinkedList<DecodedChunk> _order = new();
    private bool _closed;

    /// <summary>Returns the cached chunk with a reference for the caller, or null.</summary>
    public DecodedChunk? TryGet(int shard, int chunk)
    {
        lock (_lock)
        {
            if (!_chunks.TryGetValue((shard, chunk), out LinkedListNode<DecodedChunk>? node))
            {
                return null;
            }

            _order.Remove(node);
            _order.AddFirst(node);
            node.Value.AddReference();
            return node.Value;
        }
    }

    /// <summary>Caches a chunk carrying one reference; returns the chunk to use, with one reference for the caller.</summary>
    public DecodedChunk Add(DecodedChunk decoded)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return decoded;
            }

            if (_chunks.TryGetValue((decoded.Shard, decoded.Chunk), out LinkedListNode<DecodedChunk>? existing))
            {
                // Another thread decoded the same chunk first; share its copy.
                existing.Value.AddReference();
                decoded.Release();
                return existing.Value;
            }

            decoded.AddReference();
            _chunks.Add((decoded.Shard, decoded.Chunk), _order.AddFirst(decoded));
            return decoded;
        }
    }

    /// <summary>Rents a buffer of <paramref name="size"/> bytes from the budget, evicting cached chunks no lease holds as needed.</summary>
    /// <exception cref="InvalidOperationException">Live leases hold the whole budget.</exception>
    public byte[] RentBuffer(int size, long liveLeases)
    {
        while (true)
        {
            if (pool.TryRent(size, out byte[] buffer))
            {
                return buffer;
            }

            lock (_lock)
            {
                LinkedListNode<DecodedChunk>? node = _order.Last;
                while (node is not null && !node.Value.IsSolelyHeld)
                {
                    node = node.Previous;
                }

                if (node is null)
                {
                    throw new InvalidOperationException(
                        $"The decode budget of {pool.BudgetBytes} bytes is held by {liveLeases} live leases; dispose leases sooner or raise ShardDatasetOptions.DecodeBudgetBytes.");
                }

                Evict(node);
            }
        }
    }

    /// <summary>Drops every cached chunk; later additions are not cached.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            while (_order.Last is { } last)
            {
                Evict(last);
            }
        }
    }

    private void Evict(LinkedListNode<DecodedChunk> node)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        _order.Remove(node);
        _chunks.Remove((node.Value.Shard, node.Value.Chunk));
        node.Value.Release();
    }
}
