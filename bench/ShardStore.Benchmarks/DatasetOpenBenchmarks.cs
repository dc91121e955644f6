using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using BenchmarkDotNet.Attributes;
using Microsoft.Win32.SafeHandles;
using ShardStore.Benchmarks.Infrastructure;
using ShardStore.Compression;

namespace ShardStore.Benchmarks;

/// <summary>
/// <see cref="ShardDataset.Open"/> and <see cref="ShardDataset.Dispose"/> of a page-cached dataset of 10,000 small
/// shards, against opening and closing the same 10,000 files, and against opening, mapping and unmapping them.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The dataset has 10,000 shards of one chunk of 16 int64 samples each (a 4,304-byte file: the header's 4 KiB,
/// the 128-byte chunk, a one-entry chunk table and the footer), packed with a 1-byte shard target so that every chunk
/// closes its shard. Its manifest lists the 10,000 shards.</item>
/// <item><c>OpenAndCloseFiles</c> (the baseline) is the floor for touching that many files: <see cref="File.OpenHandle"/>
/// and dispose. <c>OpenMapAndCloseFiles</c> adds what any reader that maps its shards must do per file, the way
/// ShardStore maps them: a <see cref="FileStream"/>, <see cref="MemoryMappedFile.CreateFromFile(FileStream, string, long, MemoryMappedFileAccess, HandleInheritability, bool)"/>,
/// a view of the whole file, and reading its last byte (where the footer is).</item>
/// <item>The setup skips the writer's per-shard fsync (an internal option meant for tests): the files are
/// temporary, and 10,000 flushes would take most of the setup time without changing what is measured.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.DatasetOpen)]
[PerItem(ShardCount, "shard")]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class DatasetOpenBenchmarks : ScratchDirectoryBenchmark
{
    private const int ShardCount = 10_000;
    private const int SamplesPerShard = 16;

    private string[] _paths = [];

    /// <inheritdoc/>
    protected override string ScratchName => "open";


    /// <summary>Opens and closes each of the 10,000 shard files.</summary>
    [Benchmark(Baseline = true)]
    public long OpenAndCloseFiles()
    {
        long opened = 0;
        foreach (string path in _paths)
        {
            using SafeFileHandle handle = File.OpenHandle(path);
            opened++;
        }

        return opened;
    }

    /// <summary>Opens each shard file, maps the whole of it, reads its last byte, unmaps and closes it.</summary>
    [Benchmark]
    public unsafe long OpenMapAndCloseFiles()
    {
        long sum = 0;
        foreach (string path in _paths)
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1, FileOptions.RandomAccess);
            long length = stream.Length;
            using MemoryMappedFile file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            using MemoryMappedViewAccessor view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            try
            {
                sum += pointer[view.PointerOffset + length - 1];
            }
            finally
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
            }
        }

        return sum;
    }

    /// <summary><see cref="ShardDataset.Open"/> of the 10,000-shard dataset with default options, then <see cref="ShardDataset.Dispose"/>.</summary>
    [Benchmark]
    public long ShardDatasetOpen()
    {
        using ShardDataset dataset = ShardDataset.Open(ScratchDirectory);
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
            ChunkTargetBytes = SamplesPerShard * sizeof(long),
            ShardTargetBytes = 1,
            Codec = CodecKind.None,
            FlushToDisk = static _ => { },
        };
        using (DatasetWriter writer = DatasetWriter.Create(ScratchDirectory, new Schema(FieldSpec.Fixed("id", DType.I64)), options))
        {
            for (long i = 0; i < (long)ShardCount * SamplesPerShard; i++)
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
            Check(dataset.ChunkCount == ShardCount, $"the dataset has {dataset.ChunkCount} chunks, expected one per shard");
            _paths = [.. dataset.Shards.Select(s => Path.Combine(dataset.Directory, s.FileName))];
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Dataset: {ShardCount} shards of {new FileInfo(_paths[0]).Length} bytes, packed in {packed.TotalSeconds:0.0} s, first open {(stopwatch.Elapsed - packed).TotalSeconds:0.00} s"));
    }
}
