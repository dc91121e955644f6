using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ShardStore.Benchmarks.Infrastructure;
using ShardStore.Compression;
using ShardStore.Internals.Ordering;

namespace ShardStore.Benchmarks;

/// <summary>
/// The cost of an epoch's order for one million samples: the loader's keyed permutation applied to every index,
/// the whole plan from <see cref="ShardLoader.PlanEpoch"/> per order, and a Fisher–Yates shuffle as the naive peer,
/// against a loop that writes the million sequential indices.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every method produces the 1,000,000 indices of one epoch, so the Time/sample column is the cost per
/// sample and Mean is the cost per million.</item>
/// <item>The dataset for <see cref="ShardLoader.PlanEpoch"/> is packed once in setup: 1,000,000 samples of one int64,
/// 8 KiB chunks (1,024 samples a chunk, 977 chunks, about as many samples a chunk as 4 MiB chunks of
/// MNIST-sized samples hold). The plan uses batches of 256, one rank, one logical partition and, for Window,
/// windows of 8 chunks: the loader's defaults. It only reads the chunk table, never the data.</item>
/// <item><see cref="ShardLoader.PlanEpoch"/> allocates one index array per batch, as its public signature requires;
/// the loader itself fills reused arrays. The other methods write into one reused array.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.Sampler)]
[PerItem(SampleCount, "sample")]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class SamplerBenchmarks : ScratchDirectoryBenchmark
{
    private const int SampleCount = 1_000_000;
    private const int ChunkTargetBytes = 8 << 10;
    private const int BatchSize = 256;

    private readonly long[] _indices = new long[SampleCount];
    private readonly Random _random = new(42);
    private readonly IndexPermutation _permutation = new(SampleCount, 0x5EED);
    private ShardDataset? _dataset;

    /// <inheritdoc/>
    protected override string ScratchName => "sampler";

    /// <inheritdoc/>
    protected override void Release()
    {
        _dataset?.Dispose();
    }

    /// <summary>Writes 0, 1, ..., 999,999: the floor for producing an epoch's indices.</summary>
    [Benchmark(Baseline = true)]
    public long SequentialIndices()
    {
        long[] indices = _indices;
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = i;
        }

        return indices[^1];
    }

    /// <summary>The naive shuffle: the sequential indices, then <see cref="Random.Shuffle{T}(T[])"/> (Fisher–Yates) over them.</summary>
    [Benchmark]
    public long FisherYatesShuffle()
    {
        long[] indices = _indices;
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = i;
        }

        _random.Shuffle(indices);
        return indices[^1];
    }

    /// <summary>The loader's keyed bijection on [0, 1M) (<see cref="IndexPermutation.Apply"/>) on every index: what Random order computes per sample.</summary>
    [Benchmark]
    public long IndexPermutationApply()
    {
        long[] indices = _indices;
        IndexPermutation permutation = _permutation;
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = permutation.Apply(i);
        }

        return indices[^1];
    }

    /// <summary>The whole Sequential plan of one epoch from <see cref="ShardLoader.PlanEpoch"/>.</summary>
    [Benchmark]
    public long PlanEpochSequential() => Plan(SampleOrder.Sequential);

    /// <summary>The whole Window plan (shuffled chunks, samples permuted within windows of 8 chunks) of one epoch.</summary>
    [Benchmark]
    public long PlanEpochWindow() => Plan(SampleOrder.Window);

    /// <summary>The whole Random plan (a permutation of all samples) of one epoch.</summary>
    [Benchmark]
    public long PlanEpochRandom() => Plan(SampleOrder.Random);

    private static void Check([DoesNotReturnIf(false)] bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark setup: {problem}.");
        }
    }

    private long Plan(SampleOrder order)
    {
        long last = 0;
        foreach (long[] batch in ShardLoader.PlanEpoch(_dataset!, new ShardLoaderOptions { Order = order, BatchSize = BatchSize, Seed = 1 }, 0))
        {
            last = batch[^1];
        }

        return last;
    }

    /// <inheritdoc/>
    protected override void Prepare()
    {
        var options = new DatasetWriterOptions { ChunkTargetBytes = ChunkTargetBytes, Codec = CodecKind.None };
        using (DatasetWriter writer = DatasetWriter.Create(ScratchDirectory, new Schema(FieldSpec.Fixed("id", DType.I64)), options))
        {
            for (long written = 0; written < SampleCount;)
            {
                int reserved = writer.ReserveSamples((int)Math.Min(int.MaxValue, SampleCount - written));
                Span<long> ids = MemoryMarshal.Cast<byte, long>(writer.GetReservedField(0));
                for (int i = 0; i < reserved; i++)
                {
                    ids[i] = written + i;
                }

                writer.CommitReservedSamples();
                written += reserved;
            }

            writer.Complete();
        }

        _dataset = ShardDataset.Open(ScratchDirectory);
        Check(_dataset.SampleCount == SampleCount, $"the dataset has {_dataset.SampleCount} samples, expected {SampleCount}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// Dataset: {_dataset.SampleCount} samples in {_dataset.ChunkCount} chunks, {_dataset.Shards.Count} shard(s)"));

        // Each plan must be a permutation of all samples, and the Sequential one the identity.
        foreach (SampleOrder order in new[] { SampleOrder.Sequential, SampleOrder.Window, SampleOrder.Random })
        {
            bool[] seen = new bool[SampleCount];
            long position = 0;
            bool identity = true;
            foreach (long[] batch in ShardLoader.PlanEpoch(_dataset, new ShardLoaderOptions { Order = order, BatchSize = BatchSize, Seed = 1 }, 0))
            {
                foreach (long index in batch)
                {
                    Check(index is >= 0 and < SampleCount && !seen[index], $"the {order} plan repeats or leaves the range at index {index}");
                    seen[index] = true;
                    identity &= index == position++;
                }
            }

            Check(position == SampleCount, $"the {order} plan has {position} samples");
            Check(identity == (order == SampleOrder.Sequential), $"the {order} plan is {(identity ? string.Empty : "not ")}the identity");
        }
    }
}
