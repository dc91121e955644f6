using ShardStore.Internals.Memory;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// Read-ahead for Sequential and Window order: when a chunk is first read, asks the dataset's source to start reading the
/// chunks scheduled after it, as many as the source's read-ahead bytes hold (ShardDataset.ReadAheadBytes),
/// at least the next two windows in Window order (a window's chunks are all decoded at about the same time, and from a
/// cold disk they are scattered reads that need many requests in flight: a cold Window epoch over lz4 went from 0.69x
/// to 0.83x of a cold sequential read with 2 and 12 windows ahead), eight chunks in Sequential order; each chunk once per epoch, since a hint for cached pages still walks them. Random order
/// reads every chunk all the time and takes no hints. A mapped or local source passes the hints to the OS (madvise,
/// posix_fadvise); a remote one fetches the hinted chunks, adjacent ones in one request. Thread-safe.
/// </summary>
internal sealed class PrefetchHints(ILoaderSource dataset, ChunkIndex index, EpochOrderCache orders, ShardLoaderOptions options)
{
    // Per chunk, 1 + the epoch it was last hinted in; racy by design (a hint twice is harmless).
    private readonly int[] _hinted = new int[index.ChunkCount];

    // How many chunks ahead to hint: as many stored chunks as the source's read-ahead bytes hold, at least two windows
    // (Window order) or eight chunks (Sequential), and two per decode worker.
    private readonly int _depth = Math.Max(
        2 * options.DecodeWorkers,
        Math.Max(
            options.Order == SampleOrder.Window ? Math.Max(2 * options.WindowChunks, WindowShape.For(index, options).GroupChunks) : 8,
            (int)Math.Min(int.MaxValue, dataset.ReadAheadBytes / Math.Max(1, index.MaxStoredChunkBytes))));

    /// <summary>Gets how many chunks after the one being read are hinted.</summary>
    public int Depth => _depth;

    /// <summary>Returns the hints for a loader with <paramref name="options"/>, or null in Random order.</summary>
    public static PrefetchHints? For(ILoaderSource dataset, ChunkIndex index, EpochOrderCache orders, ShardLoaderOptions options) =>
        options.Order == SampleOrder.Random ? null : new PrefetchHints(dataset, index, orders, options);

    /// <summary>Hints the chunks after <paramref name="chunk"/> in the epoch being planned.</summary>
    public void Reading(int chunk)
    {
        if (orders.Latest() is not { } order || !order.Contains(chunk))
        {
            return;
        }

        int depth = _depth;
        int mark = order.Epoch + 1;
        List<(int Shard, int Chunk)>? hints = null;
        foreach (int next in order.ChunksAfter(chunk, depth))
        {
            if (Volatile.Read(ref _hinted[next]) == mark)
            {
                continue;
            }

            Volatile.Write(ref _hinted[next], mark);
            (hints ??= []).Add((index.ChunkShard[next], index.ChunkInShard[next]));
        }

        if (hints is not null)
        {
            dataset.Prefetch(hints);
        }
    }
}
