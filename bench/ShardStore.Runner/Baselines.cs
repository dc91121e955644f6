using System.Diagnostics;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using Microsoft.Win32.SafeHandles;

namespace ShardStore.Runner;

/// <summary>The machine limits the loader is compared with, measured in the same run on the same bytes.</summary>
internal static class Baselines
{
    /// <summary>Copies <paramref name="totalBytes"/> on <paramref name="threads"/> threads through buffers larger than the caches; returns the best bytes per second of three rounds.</summary>
    public static double MemcpyBytesPerSecond(long totalBytes, int threads)
    {
        const int Block = 4 << 20;
        const int BlocksPerBuffer = 16;
        byte[][] sources = [.. Enumerable.Range(0, threads).Select(_ => new byte[Block * BlocksPerBuffer])];
        byte[][] targets = [.. Enumerable.Range(0, threads).Select(_ => new byte[Block * BlocksPerBuffer])];

        // Fresh arrays are backed by the kernel's shared zero page until written; reading that would measure a cache.
        foreach (byte[] buffer in sources.Concat(targets))
        {
            Random.Shared.NextBytes(buffer);
        }

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

    /// <summary>
    /// Reads every file from start to end with large sequential reads on one thread, <paramref name="passes"/> times;
    /// returns the best file bytes per second. Warm (page-cache bandwidth) after a first pass, or cold after dropping the cache.
    /// </summary>
    public static double ReadFilesBytesPerSecond(IReadOnlyList<string> files, int passes, CancellationToken cancellationToken = default)
    {
        const int ReadBytes = 8 << 20;
        byte[] buffer = GC.AllocateUninitializedArray<byte>(ReadBytes, pinned: true);
        double best = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            long total = 0;
            var sw = Stopwatch.StartNew();
            foreach (string path in files)
            {
                using SafeFileHandle file = File.OpenHandle(path, options: FileOptions.SequentialScan);
                long offset = 0;
                int read;
                while ((read = RandomAccess.Read(file, buffer, offset)) > 0)
                {
                    offset += read;
                    total += read;
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            sw.Stop();
            best = Math.Max(best, total / sw.Elapsed.TotalSeconds);
        }

        return best;
    }

    /// <summary>
    /// Decodes every compressed chunk of the dataset with the native library directly (no ShardStore code on the
    /// path), from memory, on <paramref name="threads"/> threads; returns the best raw bytes per second of three rounds.
    /// </summary>
    public static double NativeDecodeBytesPerSecond(ShardDataset dataset, int threads)
    {
        var chunks = new List<(byte[] Stored, int RawSize, ChunkCodec Codec)>();
        for (int s = 0; s < dataset.Shards.Count; s++)
        {
            using SafeFileHandle file = File.OpenHandle(Path.Combine(dataset.Directory, dataset.Shards[s].FileName));
            for (int c = 0; c < dataset.GetChunkCount(s); c++)
            {
                ChunkEntry e = dataset.GetEntry(s, c);
                if (e.Codec == CodecKind.None || !NativeCodecs.Provider.TryGetCodec(e.Codec, out ChunkCodec? codec))
                {
                    continue;
                }

                byte[] stored = new byte[e.StoredSize];
                RandomAccess.Read(file, stored, e.Offset);
                chunks.Add((stored, (int)e.RawSize, codec));
            }
        }

        if (chunks.Count == 0)
        {
            return double.NaN;
        }

        long rawTotal = chunks.Sum(c => (long)c.RawSize);
        int maxRaw = chunks.Max(c => c.RawSize);
        byte[][] outputs = [.. Enumerable.Range(0, threads).Select(_ => GC.AllocateUninitializedArray<byte>(maxRaw, pinned: true))];
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            int next = -1;
            var sw = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < chunks.Count)
                {
                    (byte[] stored, int raw, ChunkCodec codec) = chunks[i];
                    if (!codec.TryDecode(stored, outputs[t].AsSpan(0, raw), out int written) || written != raw)
                    {
                        throw new InvalidDataException($"chunk {i} did not decode");
                    }
                }
            });
            sw.Stop();
            best = Math.Max(best, rawTotal / sw.Elapsed.TotalSeconds);
        }

        return best;
    }
}
