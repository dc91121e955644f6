using System.Diagnostics;
using ShardStore.Compression;
using ShardStore.Format;

namespace ShardStore.Internals;

/// <summary>
/// How the loader reads one chunk, for both ways of filling batches (<see cref="LoaderChunkCache"/> and
/// <see cref="ChunkScatter"/>): an uncompressed chunk is leased over the mapping, a compressed one is verified and
/// decoded into a buffer the caller provides; stored pages are dropped once they are no longer needed (when the
/// loader releases consumed pages); the time and count of reads feed the loader's statistics and metrics.
/// </summary>
internal sealed class LoaderChunkReader(ShardDataset dataset, bool dropPages)
{
    private long _ticks;
    private long _reads;

    /// <summary>Gets the time spent reading, verifying and decoding chunks, summed over workers.</summary>
    public TimeSpan DecodeTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    /// <summary>Gets how many times a chunk was read (more than the chunk count when the budget forced re-reads).</summary>
    public long ChunksLoaded => Interlocked.Read(ref _reads);

    /// <summary>
    /// Reads a chunk: returns its sections and raw size, and either a lease over its mapped bytes or null when it
    /// was decoded into the buffer from <paramref name="rentBuffer"/> (called with the raw size; the caller keeps
    /// track of that buffer, also when the decode fails).
    /// </summary>
    /// <exception cref="InvalidDataException">The chunk is corrupt.</exception>
    public FieldSection[] Read(int shard, int chunk, Func<int, byte[]> rentBuffer, out ChunkLease? lease, out int length)
    {
        long start = Stopwatch.GetTimestamp();
        lease = null;
        try
        {
            ChunkEntry entry = dataset.GetEntry(shard, chunk);
            FieldSection[] sections;
            length = (int)entry.RawSize;
            if (entry.Codec == CodecKind.None)
            {
                lease = dataset.ReadChunk(shard, chunk);
                sections = lease.Sections;
            }
            else
            {
                sections = dataset.DecodeInto(shard, chunk, rentBuffer(length));
                if (dropPages)
                {
                    // The stored bytes were only needed to decode.
                    dataset.AdviseChunk(shard, chunk, MemoryAdvice.DontNeed);
                }
            }

            Interlocked.Increment(ref _reads);
            return sections;
        }
        finally
        {
            long ticks = Stopwatch.GetTimestamp() - start;
            Interlocked.Add(ref _ticks, ticks);
            LoaderMetrics.DecodeTime.Add(Stopwatch.GetElapsedTime(0, ticks).TotalSeconds);
        }
    }

    /// <summary>Ends a lease from <see cref="Read"/>, dropping the chunk's pages when the loader releases consumed pages.</summary>
    public void Release(ChunkLease lease)
    {
        if (dropPages)
        {
            dataset.AdviseChunk(lease.Shard, lease.Chunk, MemoryAdvice.DontNeed);
        }

        lease.Dispose();
    }
}
