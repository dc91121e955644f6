using System.Diagnostics;
using ShardStore.Format;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Reading;
using ShardStore.Internals.Sources;

namespace ShardStore.Internals.Loading;

/// <summary>
/// How the loader reads one chunk, for both ways of filling batches (<see cref="LoaderChunkCache"/> and
/// <see cref="ChunkScatter"/>): the chunk is copied out of the file with positioned reads into memory the loader
/// owns (a compressed one through a scratch buffer, then decoded), never read through the mapping, so a shard
/// truncated or rewritten while the loader runs is an error rather than a fault. Only
/// <see cref="ShardLoaderOptions.ZeroCopy"/> leases chunks over the mapping (<see cref="ReadMapped"/>). The time
/// and count of reads feed the loader's statistics and metrics.
/// </summary>
/// <remarks>Every read, mapped or not, first passes the chunk to the loader's <see cref="PrefetchHints"/> (when it has any).</remarks>
internal sealed class LoaderChunkReader(ILoaderSource dataset, ChunkIndex index, bool dropPages, PrefetchHints? hints)
{
    // Interlocked: time spent and chunks read, over every worker.
    private long _ticks;
    private long _reads;

    /// <summary>Gets the time spent reading, verifying and decoding chunks, summed over workers.</summary>
    public TimeSpan DecodeTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    /// <summary>Gets how many times a chunk was read (more than the chunk count when the budget forced re-reads).</summary>
    public long ChunksLoaded => Interlocked.Read(ref _reads);

    /// <summary>
    /// Copies a chunk into the buffer from <paramref name="rentBuffer"/> (called with the raw size; the caller keeps
    /// track of that buffer, also when the read fails), verified and decoded; returns its sections and raw size.
    /// A compressed chunk's stored bytes go through <paramref name="storedScratch"/> (<see cref="ChunkIndex.MaxCompressedChunkBytes"/> bytes).
    /// </summary>
    /// <exception cref="InvalidDataException">The chunk is corrupt, or the file ends inside it.</exception>
    public FieldSection[] Read(int chunk, Func<int, byte[]> rentBuffer, byte[] storedScratch, out int length)
    {
        hints?.Reading(chunk);
        int shard = index.ChunkShard[chunk];
        int inShard = index.ChunkInShard[chunk];
        long start = Stopwatch.GetTimestamp();
        try
        {
            length = (int)dataset.GetEntry(shard, inShard).RawSize;
            FieldSection[] sections = dataset.CopyChunk(shard, inShard, rentBuffer(length).AsSpan(0, length), storedScratch);
            Interlocked.Increment(ref _reads);
            return sections;
        }
        finally
        {
            AddTime(start);
        }
    }

    /// <summary>Leases an uncompressed chunk over the shard's mapping (zero-copy batches only).</summary>
    /// <exception cref="InvalidDataException">The chunk is corrupt, or the file is now shorter than the chunk's end.</exception>
    public ChunkLease ReadMapped(int chunk)
    {
        hints?.Reading(chunk);
        long start = Stopwatch.GetTimestamp();
        try
        {
            ChunkLease lease = dataset.ReadChunk(index.ChunkShard[chunk], index.ChunkInShard[chunk]);
            Interlocked.Increment(ref _reads);
            return lease;
        }
        finally
        {
            AddTime(start);
        }
    }

    /// <summary>
    /// Returns the open shard file of <paramref name="chunk"/>, for a caller that reads an uncompressed chunk's
    /// samples straight from it with positioned reads (release it when done).
    /// </summary>
    public OpenShard AcquireFile(int chunk)
    {
        hints?.Reading(chunk);
        return dataset.AcquireFile(index.ChunkShard[chunk]);
    }

    /// <summary>Ends a lease from <see cref="ReadMapped"/>, dropping the chunk's pages when the loader releases consumed pages.</summary>
    public void Release(ChunkLease lease)
    {
        if (dropPages)
        {
            dataset.AdviseChunk(lease.Shard, lease.Chunk, MemoryAdvice.DontNeed);
        }

        lease.Dispose();
    }

    private void AddTime(long start)
    {
        long ticks = Stopwatch.GetTimestamp() - start;
        Interlocked.Add(ref _ticks, ticks);
        LoaderMetrics.DecodeTime.Add(Stopwatch.GetElapsedTime(0, ticks).TotalSeconds);
    }
}
