using System.Diagnostics;

namespace ShardStore.Runner;

/// <summary>Reads every chunk of a dataset on several threads, and measures memcpy of the same volume.</summary>
internal static class ChunkStreamer
{
    /// <summary>Reads all chunks (decode + checksum), consuming every label; returns the samples seen.</summary>
    public static long StreamAll(ShardDataset dataset, int threads, out long labelSum)
    {
        var chunks = new List<(int Shard, int Chunk)>();
        for (int s = 0; s < dataset.Shards.Count; s++)
        {
            for (int c = 0; c < dataset.GetChunkCount(s); c++)
            {
                chunks.Add((s, c));
            }
        }

        long samples = 0, sum = 0;
        Parallel.ForEach(
            chunks,
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => (Samples: 0L, Sum: 0L),
            (item, _, local) =>
            {
                using ChunkLease lease = dataset.ReadChunk(item.Shard, item.Chunk);
                foreach (long label in lease.GetFixed<long>(1))
                {
                    local.Sum += label;
                }

                local.Samples += lease.SampleCount;
                return local;
            },
            local =>
            {
                Interlocked.Add(ref samples, local.Samples);
                Interlocked.Add(ref sum, local.Sum);
            });
        labelSum = sum;
        return samples;
    }

    /// <summary>Copies <paramref name="totalBytes"/> on <paramref name="threads"/> threads through buffers larger than the caches; returns bytes per second.</summary>
    public static double MemcpyBytesPerSecond(long totalBytes, int threads)
    {
        const int Block = 4 << 20;
        const int BlocksPerBuffer = 16;
        byte[][] sources = [.. Enumerable.Range(0, threads).Select(_ => new byte[Block * BlocksPerBuffer])];
        byte[][] targets = [.. Enumerable.Range(0, threads).Select(_ => new byte[Block * BlocksPerBuffer])];
        long blocks = Math.Max(1, totalBytes / Block);
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            var sw = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                for (long b = t; b < blocks; b += threads)
                {
                    int at = (int)(b / threads % BlocksPerBuffer) * Block;
                    sources[t].AsSpan(at, Block).CopyTo(targets[t].AsSpan(at, Block));
                }
            });
            sw.Stop();
            best = Math.Max(best, blocks * (double)Block / sw.Elapsed.TotalSeconds);
        }

        return best;
    }
}
