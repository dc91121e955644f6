using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// Counts the distinct chunks the samples of each handed-out batch come from (a shuffle-quality figure for
/// <see cref="ShardLoaderStatistics.SourceChunksPerBatch"/>): one chunk lookup per sample, a stamp per chunk instead of a set.
/// Thread-safe.
/// </summary>
internal sealed class BatchChunkCounter(ChunkIndex index)
{
    // Guarded by locking _stamps: per chunk, the stamp of the last batch counted that read it; the last stamp given; the
    // batches counted; the sum of their distinct chunks.
    private readonly int[] _stamps = new int[index.ChunkCount];
    private int _counted;
    private long _batches;
    private long _chunks;

    /// <summary>Counts the distinct chunks of one batch's samples.</summary>
    public void Count(ReadOnlySpan<long> samples)
    {
        if (samples.IsEmpty)
        {
            return;
        }

        lock (_stamps)
        {
            int stamp = ++_counted;
            if (stamp == int.MaxValue)
            {
                Array.Clear(_stamps);
                _counted = stamp = 1;
            }

            long[] starts = index.ChunkStarts;
            int chunk = -1;
            foreach (long sample in samples)
            {
                if (chunk < 0 || sample < starts[chunk] || sample >= starts[chunk + 1])
                {
                    chunk = index.ChunkOf(sample);
                }

                if (_stamps[chunk] != stamp)
                {
                    _stamps[chunk] = stamp;
                    _chunks++;
                }
            }

            _batches++;
        }
    }

    /// <summary>Returns the mean distinct chunks per counted batch, or 0 before the first.</summary>
    public double Mean()
    {
        lock (_stamps)
        {
            return _batches == 0 ? 0 : (double)_chunks / _batches;
        }
    }
}
