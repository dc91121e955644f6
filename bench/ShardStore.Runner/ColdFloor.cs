using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Integrity;

namespace ShardStore.Runner;

/// <summary>
/// The floor of any loader that streams a dataset from a cold disk into contiguous batches, measured with no
/// ShardStore reading code on the path: every shard file read once, front to back, in large positioned reads (the
/// cheapest way for the disk and the kernel: its own read-ahead sees sequential files), on as many threads as the
/// loader decodes with, which take 64 MiB parts of the files in turn; every chunk checked against its CRC32C, decoded with the native
/// library, and each sample copied once to batch memory (<see cref="SampleScatter"/>).
/// </summary>
/// <remarks>
/// A loader in Window order reads the same bytes in shuffled chunk order and must do at least this work, on the same
/// cores; so on a machine where neither the disk alone nor decoding alone binds, but their sum on few cores does, this is
/// the rate to compare it with. The caller drops the page cache first.
/// </remarks>
internal static class ColdFloor
{
    private const long ReadBytes = 8 << 20;
    private const long SegmentBytes = 64 << 20;

    /// <summary>Runs the floor once over every shard of <paramref name="dataset"/>.</summary>
    /// <returns>Stored bytes per second, and the process's processor time (user and kernel) over the run.</returns>
    /// <exception cref="InvalidDataException">A chunk fails its checksum or does not decode.</exception>
    public static (double StoredBytesPerSecond, TimeSpan ProcessorTime) Measure(ShardDataset dataset, int threads, int batchSize, long batchMemory, CancellationToken cancellationToken)
    {
        using var scatter = new SampleScatter(dataset.Schema, batchSize, batchMemory);
        long maxRaw = 0, maxRun = 0;
        for (int s = 0; s < dataset.Shards.Count; s++)
        {
            for (int c = 0; c < dataset.GetChunkCount(s); c++)
            {
                ChunkEntry e = dataset.GetEntry(s, c);
                maxRaw = Math.Max(maxRaw, e.RawSize);
                maxRun = Math.Max(maxRun, e.StoredSize);
            }
        }

        // Work items of about SegmentBytes of whole chunks, in file order, taken by the threads in turn: the threads
        // read neighbouring parts of the same file, so the disk still sees a nearly sequential stream.
        var segments = new List<(int Shard, int First, int End)>();
        for (int s = 0; s < dataset.Shards.Count; s++)
        {
            int chunks = dataset.GetChunkCount(s);
            for (int first = 0; first < chunks;)
            {
                long start = dataset.GetEntry(s, first).Offset;
                int end = first + 1;
                while (end < chunks && dataset.GetEntry(s, end).End - start <= SegmentBytes)
                {
                    end++;
                }

                segments.Add((s, first, end));
                first = end;
            }
        }

        int bufferBytes = (int)Math.Max(ReadBytes, maxRun);
        long stored = 0;
        int next = -1;
        TimeSpan cpu = Environment.CpuUsage.TotalTime;
        var sw = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, _ =>
        {
            byte[] buffer = GC.AllocateUninitializedArray<byte>(bufferBytes, pinned: true);
            byte[] output = GC.AllocateUninitializedArray<byte>((int)maxRaw, pinned: true);
            var files = new Dictionary<int, SafeFileHandle>();
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < segments.Count)
                {
                    (int shard, int first, int end) = segments[i];
                    if (!files.TryGetValue(shard, out SafeFileHandle? file))
                    {
                        files[shard] = file = File.OpenHandle(Path.Combine(dataset.Directory, dataset.Shards[shard].FileName), options: FileOptions.SequentialScan);
                    }

                    Interlocked.Add(ref stored, StreamSegment(dataset, shard, first, end, file, buffer, output, scatter, cancellationToken));
                }
            }
            finally
            {
                foreach (SafeFileHandle file in files.Values)
                {
                    file.Dispose();
                }
            }
        });
        sw.Stop();
        return (stored / sw.Elapsed.TotalSeconds, Environment.CpuUsage.TotalTime - cpu);
    }

    // Reads chunks [first, chunks) of the shard in file order, in runs of whole chunks of up to the buffer's size;
    // returns the stored bytes.
    private static long StreamSegment(ShardDataset dataset, int shard, int first, int chunks, SafeFileHandle file, byte[] buffer, byte[] output, SampleScatter scatter, CancellationToken cancellationToken)
    {
        string path = Path.Combine(dataset.Directory, dataset.Shards[shard].FileName);
        long total = 0;
        while (first < chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long runStart = dataset.GetEntry(shard, first).Offset;
            int end = first + 1;
            while (end < chunks && dataset.GetEntry(shard, end).End - runStart <= buffer.Length)
            {
                end++;
            }

            int length = (int)(dataset.GetEntry(shard, end - 1).End - runStart);
            for (int done = 0, read; done < length; done += read)
            {
                read = RandomAccess.Read(file, buffer.AsSpan(done, length - done), runStart + done);
                if (read == 0)
                {
                    throw new InvalidDataException($"{path}: the file ends inside chunk {end - 1}.");
                }
            }

            for (int c = first; c < end; c++)
            {
                ChunkEntry e = dataset.GetEntry(shard, c);
                ReadOnlySpan<byte> bytes = buffer.AsSpan((int)(e.Offset - runStart), (int)e.StoredSize);
                if (Crc32C.Compute(bytes) != e.Crc)
                {
                    throw new InvalidDataException($"{path}: chunk {c} fails its checksum.");
                }

                scatter.Scatter(e, e.Codec == CodecKind.None ? bytes : Decode(e, bytes, output, path, c));
                total += e.StoredSize;
            }

            first = end;
        }

        return total;
    }

    private static ReadOnlySpan<byte> Decode(ChunkEntry e, ReadOnlySpan<byte> stored, byte[] output, string path, int chunk)
    {
        Span<byte> raw = output.AsSpan(0, (int)e.RawSize);
        if (!NativeCodecs.Provider.TryGetCodec(e.Codec, out ChunkCodec? codec) || !codec.TryDecode(stored, raw, out int written) || written != raw.Length)
        {
            throw new InvalidDataException($"{path}: chunk {chunk} does not decode.");
        }

        return raw;
    }
}
