using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using ShardStore.Benchmarks.Infrastructure;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Benchmarks;

/// <summary>
/// Decodes every lz4 chunk of a ~64 MiB MNIST-like dataset once per invocation: straight through
/// <c>LZ4_decompress_safe</c>, and through <see cref="ShardDataset.ReadChunk"/> under each checksum policy.
/// </summary>
/// <remarks>
/// All three methods decode the same stored bytes into the same number of raw bytes, so the Ratio column is
/// ShardStore's time per decoded byte over the native library's. The goal is a ratio of at most 1.11, i.e.
/// ShardStore decoding at 0.9x the native speed or better.
/// <list type="bullet">
/// <item>The baseline decodes from pinned copies of each chunk's stored bytes into one pinned buffer, with the
/// same source length and destination capacity ShardStore passes.</item>
/// <item>The datasets are opened with a decode budget that holds one decoded chunk and not two, so the
/// decoded-chunk cache can never serve a read: every <c>ReadChunk</c> evicts the previous chunk and decodes.
/// Setup proves it by counting decodes through a wrapping codec provider.</item>
/// <item>With <see cref="ChecksumPolicy.FirstTouch"/> every chunk was verified in setup, so the measured reads
/// skip the CRC; with <see cref="ChecksumPolicy.Always"/> every read computes the CRC32C of the stored bytes.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.Lz4Decode)]
[Throughput(MnistLikeDataset.RawBytes)]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class Lz4ChunkDecodeBenchmarks
{
    // ChunkBufferPool rounds every buffer up to 64 KiB.
    private const int PoolGranularity = 64 << 10;

    private string _directory = string.Empty;
    private byte[][] _stored = [];
    private int[] _rawLengths = [];
    private byte[] _destination = [];
    private long _decodeBudget;
    private ShardDataset? _firstTouch;
    private ShardDataset? _always;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"shardstore-bench-lz4-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Prepare();
        }
        catch
        {
            // BenchmarkDotNet skips [GlobalCleanup] when setup throws; do not leave 20 MB in the temp directory.
            Cleanup();
            throw;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _firstTouch?.Dispose();
        _always?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Raw native decode speed: <c>LZ4_decompress_safe</c> on each chunk's stored bytes, nothing else.</summary>
    [Benchmark(Baseline = true)]
    public unsafe long NativeLz4DecompressSafe()
    {
        byte[][] stored = _stored;
        int[] rawLengths = _rawLengths;
        long total = 0;
        fixed (byte* destination = _destination)
        {
            for (int i = 0; i < stored.Length; i++)
            {
                fixed (byte* source = stored[i])
                {
                    int written = Lz4.LZ4_decompress_safe(source, destination, stored[i].Length, rawLengths[i]);
                    if (written != rawLengths[i])
                    {
                        ThrowDecodeFailed(i, written);
                    }

                    total += written;
                }
            }
        }

        return total;
    }

    /// <summary>ShardStore's read path with checksums already verified: lookup, decode into a pooled buffer, layout parse, lease.</summary>
    [Benchmark]
    public long ShardStoreReadChunk_FirstTouch() => ReadAllChunks(_firstTouch!);

    /// <summary>ShardStore's read path with a CRC32C of the stored bytes on every read.</summary>
    [Benchmark]
    public long ShardStoreReadChunk_Always() => ReadAllChunks(_always!);

    private static long ReadAllChunks(ShardDataset dataset)
    {
        long total = 0;
        for (int shard = 0; shard < dataset.Shards.Count; shard++)
        {
            int chunks = dataset.GetChunkCount(shard);
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                using ChunkLease lease = dataset.ReadChunk(shard, chunk);
                total += lease.RawBytes.Length;
            }
        }

        return total;
    }

    private static long RoundUp(long value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static void Check([DoesNotReturnIf(false)] bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark setup: {problem}.");
        }
    }

    [DoesNotReturn]
    private static void ThrowDecodeFailed(int chunk, int result) =>
        throw new InvalidOperationException($"LZ4_decompress_safe returned {result} for chunk {chunk}; the benchmark's copy of the stored bytes is wrong.");

    private void Prepare()
    {
        MnistLikeDataset.Write(_directory);

        long largestRaw = CopyStoredChunks();
        _destination = GC.AllocateUninitializedArray<byte>((int)largestRaw, pinned: true);
        long oneBuffer = RoundUp(largestRaw, PoolGranularity);
        _decodeBudget = oneBuffer + (1 << 20);
        Check(_decodeBudget < 2 * oneBuffer, $"the decode budget {_decodeBudget} must be below two decode buffers ({2 * oneBuffer} bytes), so that no chunk stays cached");

        VerifyEveryReadDecodes();

        _firstTouch = ShardDataset.Open(_directory, ReadOptions(ChecksumPolicy.FirstTouch));
        _always = ShardDataset.Open(_directory, ReadOptions(ChecksumPolicy.Always));

        // Touch every chunk once: FirstTouch verifies each CRC now, not in the first measured iterations,
        // and both datasets fault in their mappings and allocate their one decode buffer.
        Check(ReadAllChunks(_firstTouch) == MnistLikeDataset.RawBytes, "a FirstTouch pass did not return every raw byte");
        Check(ReadAllChunks(_always) == MnistLikeDataset.RawBytes, "an Always pass did not return every raw byte");
        Check(NativeLz4DecompressSafe() == MnistLikeDataset.RawBytes, "a native pass did not return every raw byte");
        Check(_firstTouch.DecodeBytesAllocated <= oneBuffer && _always.DecodeBytesAllocated <= oneBuffer, "a dataset holds more than one decode buffer");
    }

    private ShardDatasetOptions ReadOptions(ChecksumPolicy checksums, IChunkCodecProvider? codecs = null) => new()
    {
        Codecs = codecs ?? NativeCodecs.Provider,
        Checksums = checksums,
        DecodeBudgetBytes = _decodeBudget,
    };

    // Copies each chunk's stored bytes out of the shard files into pinned arrays, through the same validated
    // chunk table the dataset reads; returns the largest raw chunk size.
    private long CopyStoredChunks()
    {
        var stored = new List<byte[]>();
        var rawLengths = new List<int>();
        using ShardDataset dataset = ShardDataset.Open(_directory, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        foreach (ShardInfo info in dataset.Shards)
        {
            ShardFile file = ShardFile.Open(dataset.Directory, info, dataset.Schema, NativeCodecs.Provider);
            try
            {
                foreach (ChunkEntry entry in file.Entries)
                {
                    Check(entry.Codec == CodecKind.Lz4, $"chunk {stored.Count} is stored as {entry.Codec}, not lz4; the generated data does not compress");
                    Check(entry.RawSize == MnistLikeDataset.ChunkRawBytes, $"chunk {stored.Count} has {entry.RawSize} raw bytes, expected {MnistLikeDataset.ChunkRawBytes}");
                    byte[] copy = GC.AllocateUninitializedArray<byte>((int)entry.StoredSize, pinned: true);
                    file.Mapping!.Slice(entry.Offset, copy.Length).CopyTo(copy);
                    stored.Add(copy);
                    rawLengths.Add((int)entry.RawSize);
                }
            }
            finally
            {
                file.Mapping?.Release();
            }
        }

        Check(stored.Count == MnistLikeDataset.ChunkCount, $"the dataset has {stored.Count} chunks, expected {MnistLikeDataset.ChunkCount}");
        long storedBytes = stored.Sum(s => (long)s.Length);
        double ratio = (double)MnistLikeDataset.RawBytes / storedBytes;
        Check(ratio is >= 1.5 and <= 8, $"lz4 compresses the data {ratio:0.00}x, outside the realistic 1.5x to 8x");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Dataset: {stored.Count} lz4 chunks, {MnistLikeDataset.RawBytes} raw bytes, {storedBytes} stored bytes, ratio {ratio:0.00}x, liblz4 {NativeCodecs.Lz4Version}"));
        _stored = [.. stored];
        _rawLengths = [.. rawLengths];
        return rawLengths.Max();
    }

    // Two passes over all chunks through a counting provider, under the same budget the measured datasets
    // use: a cache hit would skip a decode, so the count must equal the number of reads. Also checks that
    // ShardStore and the baseline produce the same bytes.
    private void VerifyEveryReadDecodes()
    {
        var counting = new CountingCodecProvider(NativeCodecs.Provider);
        using ShardDataset dataset = ShardDataset.Open(_directory, ReadOptions(ChecksumPolicy.FirstTouch, counting));
        for (int pass = 0; pass < 2; pass++)
        {
            int i = 0;
            for (int shard = 0; shard < dataset.Shards.Count; shard++)
            {
                for (int chunk = 0; chunk < dataset.GetChunkCount(shard); chunk++, i++)
                {
                    using ChunkLease lease = dataset.ReadChunk(shard, chunk);
                    Check(
                        DecodeNative(i).SequenceEqual(lease.RawBytes),
                        $"ReadChunk({shard}, {chunk}) returned other bytes than LZ4_decompress_safe on the stored copy");
                }
            }
        }

        long reads = 2L * MnistLikeDataset.ChunkCount;
        Check(counting.Decodes == reads, $"{reads} reads decoded {counting.Decodes} times; the decoded-chunk cache served some reads, so the benchmark would not measure decoding");
    }

    private unsafe ReadOnlySpan<byte> DecodeNative(int chunk)
    {
        byte[] destination = new byte[_rawLengths[chunk]];
        fixed (byte* source = _stored[chunk])
        fixed (byte* target = destination)
        {
            int written = Lz4.LZ4_decompress_safe(source, target, _stored[chunk].Length, destination.Length);
            if (written != destination.Length)
            {
                ThrowDecodeFailed(chunk, written);
            }
        }

        return destination;
    }
}
