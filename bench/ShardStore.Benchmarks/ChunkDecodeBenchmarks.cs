using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using BenchmarkDotNet.Attributes;
using ShardStore.Benchmarks.Infrastructure;
using ShardStore.Codecs;
using ShardStore.Codecs.Interop;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Reading;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Benchmarks;

/// <summary>
/// Reads every chunk of a ~64 MiB MNIST-like dataset once per invocation, per codec: straight through the native
/// decoder (memcpy for <c>none</c>), and through <see cref="ShardDataset.ReadChunk"/> under each checksum policy.
/// </summary>
/// <remarks>
/// For one <see cref="Codec"/>, all three methods start from the same stored bytes and produce the same number of
/// raw bytes, so the Ratio column is ShardStore's time per raw byte over the native library's. The goal for the
/// codecs is a ratio of at most 1.11, i.e. ShardStore decoding at 0.9x the native speed or better.
/// <list type="bullet">
/// <item>The baseline works from pinned copies of each chunk's stored bytes into one reused pinned buffer, with the
/// same source length and destination capacity ShardStore passes: <c>LZ4_decompress_safe</c> for lz4 and lz4hc
/// (one decoder for both), <c>ZSTD_decompressDCtx</c> with one reused context for zstd (the entry point
/// ShardStore's codec calls), and a memcpy for <c>none</c>, whose chunks ShardStore hands out zero-copy over the
/// mapped file: there the ratio says what the bookkeeping (and, with Always, the CRC) costs against copying.</item>
/// <item>The datasets are opened with a decode budget that holds one decoded chunk and not two, so the
/// decoded-chunk cache can never serve a read: every compressed <c>ReadChunk</c> evicts the previous chunk and
/// decodes. Setup proves it by counting decodes through a wrapping codec provider.</item>
/// <item>With <see cref="ChecksumPolicy.FirstTouch"/> every chunk was verified in setup, so the measured reads
/// skip the CRC; with <see cref="ChecksumPolicy.Always"/> every read computes the CRC32C of the stored bytes.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.ChunkDecode)]
[Throughput(MnistLikeDataset.RawBytes)]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class ChunkDecodeBenchmarks : ScratchDirectoryBenchmark
{
    // ChunkBufferPool rounds every buffer up to 64 KiB.
    private const int PoolGranularity = 64 << 10;

    private byte[][] _stored = [];
    private int[] _rawLengths = [];
    private byte[] _destination = [];
    private long _decodeBudget;
    private ZstdDecompressionContextHandle? _zstdContext;
    private ShardDataset? _firstTouch;
    private ShardDataset? _always;

    /// <summary>Gets or sets the codec the dataset is packed with, at the codec's default level.</summary>
    [Params(CodecKind.None, CodecKind.Lz4, CodecKind.Lz4HC, CodecKind.Zstd)]
    public CodecKind Codec { get; set; }

    /// <inheritdoc/>
    protected override string ScratchName => "decode";

    /// <inheritdoc/>
    protected override void Release()
    {
        _firstTouch?.Dispose();
        _always?.Dispose();
        _zstdContext?.Dispose();
    }

    /// <summary>
    /// The raw native call on each chunk's stored bytes, nothing else: <c>LZ4_decompress_safe</c> (lz4, lz4hc),
    /// <c>ZSTD_decompressDCtx</c> (zstd), or a memcpy of the stored bytes (none).
    /// </summary>
    [Benchmark(Baseline = true)]
    public long NativeDecodeOrMemcpy() => Codec switch
    {
        CodecKind.None => CopyAll(),
        CodecKind.Zstd => ZstdDecompressAll(),
        _ => Lz4DecompressAll(),
    };

    /// <summary>ShardStore's read path with checksums already verified: lookup, decode into a pooled buffer (or a view of the mapping for none), layout parse, lease.</summary>
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
    private static void ThrowDecodeFailed(string function, int chunk, long result) =>
        throw new InvalidOperationException($"{function} returned {result} for chunk {chunk}; the benchmark's copy of the stored bytes is wrong.");

    private long CopyAll()
    {
        byte[][] stored = _stored;
        Span<byte> destination = _destination;
        long total = 0;
        for (int i = 0; i < stored.Length; i++)
        {
            stored[i].CopyTo(destination);
            total += stored[i].Length;
        }

        return total;
    }

    private unsafe long Lz4DecompressAll()
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
                        ThrowDecodeFailed(nameof(Lz4.LZ4_decompress_safe), i, written);
                    }

                    total += written;
                }
            }
        }

        return total;
    }

    private unsafe long ZstdDecompressAll()
    {
        byte[][] stored = _stored;
        int[] rawLengths = _rawLengths;
        ZstdDecompressionContextHandle context = _zstdContext!;
        long total = 0;
        fixed (byte* destination = _destination)
        {
            for (int i = 0; i < stored.Length; i++)
            {
                fixed (byte* source = stored[i])
                {
                    nuint written = Zstd.ZSTD_decompressDCtx(context, destination, (nuint)rawLengths[i], source, (nuint)stored[i].Length);
                    if (written != (nuint)rawLengths[i])
                    {
                        ThrowDecodeFailed(nameof(Zstd.ZSTD_decompressDCtx), i, (long)written);
                    }

                    total += (long)written;
                }
            }
        }

        return total;
    }

    /// <inheritdoc/>
    protected override void Prepare()
    {
        MnistLikeDataset.Write(ScratchDirectory, Codec);
        if (Codec == CodecKind.Zstd)
        {
            _zstdContext = ZstdDecompressionContextHandle.Create();
        }

        long largestRaw = CopyStoredChunks();
        _destination = GC.AllocateUninitializedArray<byte>((int)largestRaw, pinned: true);
        long oneBuffer = RoundUp(largestRaw, PoolGranularity);
        _decodeBudget = oneBuffer + (1 << 20);
        Check(_decodeBudget < 2 * oneBuffer, $"the decode budget {_decodeBudget} must be below two decode buffers ({2 * oneBuffer} bytes), so that no chunk stays cached");

        VerifyEveryReadDecodes();

        _firstTouch = ShardDataset.Open(ScratchDirectory, ReadOptions(ChecksumPolicy.FirstTouch));
        _always = ShardDataset.Open(ScratchDirectory, ReadOptions(ChecksumPolicy.Always));

        // Touch every chunk once: FirstTouch verifies each CRC now, not in the first measured iterations,
        // and both datasets fault in their mappings and allocate their one decode buffer.
        Check(ReadAllChunks(_firstTouch) == MnistLikeDataset.RawBytes, "a FirstTouch pass did not return every raw byte");
        Check(ReadAllChunks(_always) == MnistLikeDataset.RawBytes, "an Always pass did not return every raw byte");
        Check(NativeDecodeOrMemcpy() == MnistLikeDataset.RawBytes, "a native pass did not return every raw byte");
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
        using ShardDataset dataset = ShardDataset.Open(ScratchDirectory, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        foreach (ShardInfo info in dataset.Shards)
        {
            using SafeFileHandle file = File.OpenHandle(Path.Combine(dataset.Directory, info.FileName));
            for (int c = 0; c < dataset.GetChunkCount(info.Index); c++)
            {
                ChunkEntry entry = dataset.GetEntry(info.Index, c);

                // A chunk that does not shrink is stored uncompressed; with this data every chunk shrinks.
                Check(entry.Codec == Codec, $"chunk {stored.Count} is stored as {entry.Codec}, not {Codec}; the generated data does not compress");
                Check(entry.RawSize == MnistLikeDataset.ChunkRawBytes, $"chunk {stored.Count} has {entry.RawSize} raw bytes, expected {MnistLikeDataset.ChunkRawBytes}");
                byte[] copy = GC.AllocateUninitializedArray<byte>((int)entry.StoredSize, pinned: true);
                RandomAccess.Read(file, copy, entry.Offset);
                stored.Add(copy);
                rawLengths.Add((int)entry.RawSize);
            }
        }

        Check(stored.Count == MnistLikeDataset.ChunkCount, $"the dataset has {stored.Count} chunks, expected {MnistLikeDataset.ChunkCount}");
        long storedBytes = stored.Sum(s => (long)s.Length);
        double ratio = (double)MnistLikeDataset.RawBytes / storedBytes;
        Check(Codec == CodecKind.None || ratio is >= 1.5 and <= 12, $"{Codec} compresses the data {ratio:0.00}x, outside the realistic 1.5x to 12x");
        string library = Codec switch
        {
            CodecKind.None => "no codec",
            CodecKind.Zstd => $"libzstd {NativeCodecs.ZstdVersion}",
            _ => $"liblz4 {NativeCodecs.Lz4Version}",
        };
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Dataset: {stored.Count} {Codec} chunks, {MnistLikeDataset.RawBytes} raw bytes, {storedBytes} stored bytes, ratio {ratio:0.00}x, {library}"));
        _stored = [.. stored];
        _rawLengths = [.. rawLengths];
        return rawLengths.Max();
    }

    // Two passes over all chunks through a counting provider, under the same budget the measured datasets
    // use: a cache hit would skip a decode, so the count must equal the number of reads of compressed chunks
    // (none for codec none). Also checks that ShardStore and the baseline produce the same bytes.
    private void VerifyEveryReadDecodes()
    {
        var counting = new CountingCodecProvider(NativeCodecs.Provider);
        using ShardDataset dataset = ShardDataset.Open(ScratchDirectory, ReadOptions(ChecksumPolicy.FirstTouch, counting));
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
                        $"ReadChunk({shard}, {chunk}) returned other bytes than the baseline's call on the stored copy");
                }
            }
        }

        long reads = Codec == CodecKind.None ? 0 : 2L * MnistLikeDataset.ChunkCount;
        Check(counting.Decodes == reads, $"{2L * MnistLikeDataset.ChunkCount} reads decoded {counting.Decodes} times, expected {reads}; the decoded-chunk cache served some reads, so the benchmark would not measure decoding");
    }

    private unsafe ReadOnlySpan<byte> DecodeNative(int chunk)
    {
        byte[] source = _stored[chunk];
        byte[] destination = new byte[_rawLengths[chunk]];
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            switch (Codec)
            {
                case CodecKind.None:
                    source.CopyTo(destination, 0);
                    break;
                case CodecKind.Zstd:
                    nuint zstdWritten = Zstd.ZSTD_decompressDCtx(_zstdContext!, dst, (nuint)destination.Length, src, (nuint)source.Length);
                    if (zstdWritten != (nuint)destination.Length)
                    {
                        ThrowDecodeFailed(nameof(Zstd.ZSTD_decompressDCtx), chunk, (long)zstdWritten);
                    }

                    break;
                default:
                    int lz4Written = Lz4.LZ4_decompress_safe(src, dst, source.Length, destination.Length);
                    if (lz4Written != destination.Length)
                    {
                        ThrowDecodeFailed(nameof(Lz4.LZ4_decompress_safe), chunk, lz4Written);
                    }

                    break;
            }
        }

        return destination;
    }
}
