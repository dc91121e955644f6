using ShardStore.Internals.Memory;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// How a loader spends its memory budget, decided once when it is created: how many batch slots, whether batches
/// are assembled by scatter (see <see cref="ChunkScatter"/>) or by gather, each worker's own buffers, how many
/// chunks the chunk cache may keep, and whether consumed pages are dropped from the page cache.
/// </summary>
/// <param name="SlotCount">Pinned batch slots.</param>
/// <param name="Scatter">Whether batches are assembled by decoding each chunk once and scattering its samples.</param>
/// <param name="WorkerBufferBytes">Budget bytes of every worker's own buffers together.</param>
/// <param name="CacheEntries">The most chunks the chunk cache keeps decoded or mapped.</param>
/// <param name="ReleasePages">Whether the pages of consumed chunks are dropped from the page cache.</param>
/// <remarks>
/// With transforms, batch slots hold the transformed schema, and a gathering worker also has a staging slot of the
/// dataset's schema that it gathers into before transforming (scatter transforms straight from the decoded chunk).
/// </remarks>
internal sealed record LoaderMemoryPlan(int SlotCount, bool Scatter, long WorkerBufferBytes, int CacheEntries, bool ReleasePages)
{
    /// <summary>Plans a loader over <paramref name="dataset"/>.</summary>
    /// <exception cref="ArgumentException">The budget cannot hold the batch slots plus each worker's buffers.</exception>
    public static LoaderMemoryPlan Create(ILoaderSource dataset, ShardLoaderOptions options, ChunkIndex index, RankSchedule schedule, TransformPlan? transforms = null, MixtureLayout? mixture = null)
    {
        Schema slotSchema = transforms?.Output ?? dataset.Schema;
        int slotCount = options.PrefetchDepth + 1;
        long slotBytes = slotCount * BatchSlot.InitialBytes(slotSchema, options.BatchSize);
        int scatterSlots = ScatterSlotCount(dataset, slotSchema, options, index, schedule, mixture);
        long chunkBytes = WorkerBufferBytesFor(options, index, scatter: true);
        long stagingBytes = transforms is null ? 0 : TransformStage.StagingBytes(dataset.Schema, options);
        if (slotBytes + chunkBytes + stagingBytes > options.MemoryBudgetBytes)
        {
            throw new ArgumentException(
                $"ShardLoaderOptions.MemoryBudgetBytes ({options.MemoryBudgetBytes}) cannot hold {slotCount} batch slots ({slotBytes} bytes) plus one chunk buffer and the stored bytes of one compressed chunk per decode worker ({chunkBytes} bytes){(transforms is null ? string.Empty : $" plus a staging slot per worker for the transforms' inputs ({stagingBytes} bytes)")}; raise it, or lower BatchSize, PrefetchDepth or DecodeWorkers.",
                nameof(options));
        }

        bool scatter = scatterSlots > 0;

        // Chunks kept decoded or mapped: batches in flight can straddle two windows in every partition (of every stream),
        // and every window of a group reads all of the group's chunks.
        int partitions = mixture?.Partitions.Sum() ?? options.LogicalPartitions;
        int groupChunks = mixture?.MaxGroupChunks ?? WindowShape.For(index, options).GroupChunks;
        int cacheEntries = options.Order switch
        {
            SampleOrder.Random => Math.Max(4096, 2 * options.BatchSize),
            SampleOrder.Window => (int)Math.Min(1 << 20, (2L * groupChunks * partitions) + (2 * options.DecodeWorkers) + 2),
            _ => (2 * partitions) + (2 * options.DecodeWorkers) + 2,
        };
        bool releasePages = options.Order != SampleOrder.Random && ShouldReleasePages(dataset, options);
        return new LoaderMemoryPlan(scatter ? scatterSlots : slotCount, scatter, WorkerBufferBytesFor(options, index, scatter), cacheEntries, releasePages);
    }

    // Every worker copies compressed chunks' stored bytes into a scratch buffer of its own; a scatter worker also
    // has the buffer it copies or decodes each chunk into (a gathering worker rents that from the chunk cache).
    public static long WorkerBufferBytesFor(ShardLoaderOptions options, ChunkIndex index, bool scatter) =>
        options.DecodeWorkers * (ChunkBufferPool.RoundUp(BatchGatherer.ScratchBytes(index)) + (scatter ? ChunkBufferPool.RoundUp(index.MaxRawChunkBytes) : 0));

    // Scatter (see ChunkScatter) pays in Window order (each chunk read once, in one burst, not sample by sample
    // across the window) and for compressed chunks in Sequential order (no decoded-chunk cache); Sequential
    // order over uncompressed chunks gathers into a few slots that stay in the CPU cache. It needs slots for every
    // batch between a batch and the end of the windows it reads, or it could not make progress: two such spans
    // (one being consumed, one being filled) plus the prefetch depth is the aim, one span plus one the least; past
    // the run's batch count, slots are useless. 0: gather instead.
    private static int ScatterSlotCount(ILoaderSource dataset, Schema slotSchema, ShardLoaderOptions options, ChunkIndex index, RankSchedule schedule, MixtureLayout? mixture)
    {
        bool wanted = options.Assembly switch
        {
            BatchAssembly.Scatter => true,
            BatchAssembly.Gather => false,
            _ => options.Order == SampleOrder.Window || index.MaxDecodedChunkBytes > 0,
        };
        if (!wanted || options.Order == SampleOrder.Random || !ChunkScatter.Supports(dataset.Schema) || index.ChunkCount == 0)
        {
            return 0;
        }

        int span = mixture?.SpanBatches(options.WorldSize) ?? ChunkScatter.SpanBatches(index, options.Order, WindowShape.For(index, options).GroupChunks, options.LogicalPartitions, options.BatchSize, options.WorldSize);
        long cap = schedule.TotalBatches is { } total ? total + 1 : long.MaxValue;
        long least = Math.Min(span + 1L, cap);
        long aim = Math.Min((2L * span) + options.PrefetchDepth + 1, cap);
        long perSlot = BatchSlot.InitialBytes(slotSchema, options.BatchSize);
        long affordable = (options.MemoryBudgetBytes - WorkerBufferBytesFor(options, index, scatter: true)) / perSlot;
        long slots = Math.Min(aim, affordable);
        return slots < least || slots < 1 ? 0 : (int)Math.Min(slots, 1 << 20);
    }

    private static bool ShouldReleasePages(ILoaderSource dataset, ShardLoaderOptions options) =>
        options.ReleaseConsumedPages ?? dataset.Shards.Sum(s => s.FileBytes) > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;
}
