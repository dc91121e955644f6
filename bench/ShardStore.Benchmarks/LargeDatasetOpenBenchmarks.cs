using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using ShardStore.Benchmarks.Infrastructure;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Storage;

namespace ShardStore.Benchmarks;

/// <summary>
/// <see cref="ShardDataset.Open"/> of a large page-cached dataset, 3,000 shards of 256 chunks (768,000 chunk-table
/// entries), mapped and direct, against the I/O any reader of it must do: open each shard file, read its header
/// page and its chunk table with footer, close it.
/// </summary>
/// <remarks>
/// The chunks hold one 8-byte sample each, so every chunk pads to its own 4 KiB page and a shard file is about 1 MiB;
/// the writer leaves the padding as holes, so the 3 GiB of files take little disk. Open reads no chunk bytes, only
/// manifest, headers and tables, so what the chunks hold does not matter. The setup skips per-shard fsync.
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.DatasetOpen)]
[PerItem(ShardCount, "shard")]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class LargeDatasetOpenBenchmarks : ScratchDirectoryBenchmark
{
    private const int ShardCount = 3_000;
    private const int ChunksPerShard = 256;

    private string[] _paths = [];
    private int _tableBytes;

    /// <inheritdoc/>
    protected override string ScratchName => "open-large";

    /// <summary>Opens each shard file, reads its header and its chunk table with the footer, closes it.</summary>
    [Benchmark(Baseline = true)]
    public long ReadHeadersAndTables()
    {
        long sum = 0;
        byte[] header = new byte[FormatConstants.HeaderReadSize];
        byte[] table = new byte[_tableBytes];
        foreach (string path in _paths)
        {
            using SafeFileHandle handle = File.OpenHandle(path);
            long length = RandomAccess.GetLength(handle);
            sum += RandomAccess.Read(handle, header, 0);
            sum += RandomAccess.Read(handle, table, length - table.Length);
        }

        return sum;
    }

    /// <summary><see cref="ShardDataset.Open"/> with default options (mapped: the first 128 shards stay mapped), then dispose.</summary>
    [Benchmark]
    public long ShardDatasetOpenMapped() => Open(ShardReadMode.Mapped);

    /// <summary><see cref="ShardDataset.Open"/> reading directly (nothing mapped), then dispose.</summary>
    [Benchmark]
    public long ShardDatasetOpenDirect() => Open(ShardReadMode.Direct);

    private long Open(ShardReadMode mode)
    {
        using ShardDataset dataset = ShardDataset.Open(ScratchDirectory, new ShardDatasetOptions { ReadMode = mode });
        return dataset.ChunkCount;
    }

    private static void Check([DoesNotReturnIf(false)] bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark setup: {problem}.");
        }
    }

    /// <inheritdoc/>
    protected override void Prepare()
    {
        var stopwatch = Stopwatch.StartNew();
        var options = new DatasetWriterOptions
        {
            ChunkTargetBytes = sizeof(long),
            // The header page, one page per chunk, and the chunk table with the footer (aligned); not one byte more.
            ShardTargetBytes = ((ChunksPerShard + 1) * 4096L) + (ChunksPerShard * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize,
            Codec = CodecKind.None,
            FlushToDisk = static _ => { },
        };
        using (DatasetWriter writer = DatasetWriter.Create(ScratchDirectory, new Schema(FieldSpec.Fixed("id", DType.I64)), options))
        {
            for (long i = 0; i < (long)ShardCount * ChunksPerShard; i++)
            {
                writer.WriteScalar(0, i);
                writer.EndSample();
            }

            writer.Complete();
        }

        TimeSpan packed = stopwatch.Elapsed;
        using (ShardDataset dataset = ShardDataset.Open(ScratchDirectory))
        {
            Check(dataset.Shards.Count == ShardCount, $"the dataset has {dataset.Shards.Count} shards, expected {ShardCount}");
            Check(dataset.ChunkCount == (long)ShardCount * ChunksPerShard, $"the dataset has {dataset.ChunkCount} chunks, expected {ChunksPerShard} per shard");
            _paths = [.. dataset.Shards.Select(s => Path.Combine(dataset.Directory, s.FileName))];
        }

        _tableBytes = (ChunksPerShard * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Dataset: {ShardCount} shards of {ChunksPerShard} chunks, {new FileInfo(_paths[0]).Length} bytes each, packed in {packed.TotalSeconds:0.0} s, first open {(stopwatch.Elapsed - packed).TotalSeconds:0.00} s"));
    }
}
