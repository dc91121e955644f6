using ShardStore.Internals.Caching;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// When the loader's plan next needs a chunk, in samples of the epoch's global order from where the consumer stands:
/// the order a node-local cache evicts in (farthest next use first). Positions of the global order are the same
/// on every rank and ranks move through it together, so the answer holds for a cache that several ranks of one job
/// share. A chunk in use now (a window of its group is being read) is 0; one whose group is past is due in the next epoch.
/// Random order reads every chunk all the time: it answers <see cref="long.MaxValue"/>, and the cache falls back to
/// least recent use. Thread-safe.
/// </summary>
internal sealed class PlanNextUse(ChunkIndex index, EpochOrderCache orders, SampleOrder order, int? epochs) : INextUseOracle
{
    // The first global chunk of each shard, to turn (shard, chunk in shard) into the index's chunk.
    private readonly int[] _shardFirstChunk = FirstChunks(index);

    // Written by the consumer's thread, read by the cache's callers: where the consumer stands, as one value
    // (epoch * (samples + 1) + position) so that it is read whole.
    private long _now;

    /// <summary>Records where the consumer stands: the state after the batch it took last.</summary>
    public void AtPosition(int epoch, long position) =>
        Volatile.Write(ref _now, (epoch * (index.SampleCount + 1)) + position);

    public long NextUse(int shard, int chunk)
    {
        if (order == SampleOrder.Random || index.SampleCount == 0)
        {
            return long.MaxValue;
        }

        int global = _shardFirstChunk[shard] + chunk;
        long now = Volatile.Read(ref _now);
        int epoch = (int)(now / (index.SampleCount + 1));
        long position = now % (index.SampleCount + 1);
        IEpochOrder current = orders.Get(epoch);
        if (current.Contains(global) && position <= current.LastUse(global))
        {
            return Math.Max(0, current.FirstUse(global) - position);
        }

        if (epochs is { } last && epoch + 1 >= last)
        {
            return long.MaxValue;
        }

        return index.SampleCount - position + orders.Get(epoch + 1).FirstUse(global);
    }

    private static int[] FirstChunks(ChunkIndex index)
    {
        int shards = index.ChunkCount == 0 ? 0 : index.ChunkShard[^1] + 1;
        var first = new int[shards];
        for (int c = index.ChunkCount - 1; c >= 0; c--)
        {
            first[index.ChunkShard[c]] = c;
        }

        return first;
    }
}
