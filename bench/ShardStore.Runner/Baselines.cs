using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.Win32.SafeHandles;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Memory;

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
    /// Reads every file, page-cached, with positioned reads of <paramref name="readBytes"/> on <paramref name="threads"/>
    /// threads (the reads of each file shared out round-robin) into destinations larger than the caches, as a loader that
    /// never touches a mapping must copy; returns the best file bytes per second of three rounds.
    /// </summary>
    public static double PositionedReadBytesPerSecond(IReadOnlyList<string> files, int threads, int readBytes)
    {
        const long TargetBytes = 64L << 20;
        int slots = (int)Math.Max(1, TargetBytes / readBytes);
        byte[][] targets = [.. Enumerable.Range(0, threads).Select(_ => GC.AllocateUninitializedArray<byte>(slots * readBytes, pinned: true))];
        foreach (byte[] buffer in targets)
        {
            Random.Shared.NextBytes(buffer);
        }

        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            long total = 0;
            var sw = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                long mine = 0;
                int slot = 0;
                foreach (string path in files)
                {
                    using SafeFileHandle file = File.OpenHandle(path, options: FileOptions.RandomAccess);
                    long length = RandomAccess.GetLength(file);
                    for (long offset = (long)t * readBytes; offset < length; offset += (long)threads * readBytes)
                    {
                        mine += RandomAccess.Read(file, targets[t].AsSpan(slot * readBytes, readBytes), offset);
                        slot = (slot + 1) % slots;
                    }
                }

                Interlocked.Add(ref total, mine);
            });
            sw.Stop();
            best = Math.Max(best, total / sw.Elapsed.TotalSeconds);
        }

        return best;
    }

    /// <summary>
    /// Decodes every compressed chunk of the dataset with the native library directly (no ShardStore code on the
    /// path), from memory, on <paramref name="threads"/> threads; returns the best raw bytes per second of three rounds.
    /// </summary>
    public static double NativeDecodeBytesPerSecond(ShardDataset dataset, int threads) => TimeDecode(dataset, threads, after: null);

    /// <summary>
    /// The floor of any loader that hands out batches as contiguous <c>[batch, ...]</c> buffers: the native decode
    /// of <see cref="NativeDecodeBytesPerSecond"/>, then one copy of every sample of every fixed-width field to a
    /// random place in a random one of the batches that fit in <paramref name="batchMemory"/> bytes, with streaming
    /// stores (the cheapest copy to memory that is not in the cache). Window order shuffles samples across
    /// chunks, so every decoded byte needs that one copy; a loader at this rate has no other cost.
    /// </summary>
    public static double DecodeAndScatterBytesPerSecond(ShardDataset dataset, int threads, int batchSize, long batchMemory)
    {
        using var scatter = new SampleScatter(dataset.Schema, batchSize, batchMemory);
        return TimeDecode(dataset, threads, scatter.Scatter);
    }

    private static double TimeDecode(ShardDataset dataset, int threads, Action<ChunkEntry, ReadOnlySpan<byte>>? after)
    {
        var chunks = new List<(byte[] Stored, ChunkEntry Entry, ChunkCodec Codec)>();
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
                chunks.Add((stored, e, codec));
            }
        }

        if (chunks.Count == 0)
        {
            return double.NaN;
        }

        long rawTotal = chunks.Sum(c => c.Entry.RawSize);
        int maxRaw = (int)chunks.Max(c => c.Entry.RawSize);
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
                    (byte[] stored, ChunkEntry entry, ChunkCodec codec) = chunks[i];
                    Span<byte> output = outputs[t].AsSpan(0, (int)entry.RawSize);
                    if (!codec.TryDecode(stored, output, out int written) || written != output.Length)
                    {
                        throw new InvalidDataException($"chunk {i} did not decode");
                    }

                    after?.Invoke(entry, output);
                }
            });
            sw.Stop();
            best = Math.Max(best, rawTotal / sw.Elapsed.TotalSeconds);
        }

        return best;
    }
}
