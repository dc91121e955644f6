using System.Diagnostics.CodeAnalysis;
using ShardStore.Internals.Loading;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

// Create(ShardDataset, options = null) and Create(DatasetMixture, options) take different first arguments, so the
// optional options cannot make a call ambiguous.
[assembly: SuppressMessage("ApiDesign", "RS0027", Scope = "member", Target = "~M:ShardStore.ShardLoader.Create(ShardStore.ShardDataset,ShardStore.ShardLoaderOptions)~ShardStore.ShardLoader", Justification = "Overloads differ in their first parameter's type.")]

namespace ShardStore;

/// <summary>Loaders over a <see cref="DatasetMixture"/>: several datasets read as streams interleaved by one order.</summary>
public sealed partial class ShardLoader
{
    /// <summary>Gets the mixture being read, or null for a loader over one dataset.</summary>
    public DatasetMixture? Mixture => _mixture;

    /// <summary>
    /// Creates a loader over a mixture of datasets; nothing is read until the first batch is asked for. Each epoch takes
    /// <see cref="DatasetMixture.GetSamplesPerEpoch"/> samples of every stream and interleaves them; the order is
    /// deterministic, the same for any world size, and every rank gets the same number of batches.
    /// </summary>
    /// <param name="mixture">The streams; their datasets must outlive the loader.</param>
    /// <param name="options">Order, partitioning, threads and memory; null for the defaults. <see cref="ShardLoaderOptions.ZeroCopy"/> is not supported.</param>
    /// <returns>The loader.</returns>
    /// <exception cref="ArgumentException">
    /// An option is out of range or ZeroCopy is set; a stream takes samples but its dataset has none; the memory budget
    /// cannot hold the slots and buffers; a transform does not fit the schema; or <see cref="ShardLoaderOptions.ResumeFrom"/>
    /// belongs to another mixture, dataset or order (the message names the stream); or <see cref="ShardLoaderOptions.Ledger"/>
    /// is set and a stream's dataset has more than 2^56 samples.
    /// </exception>
    public static ShardLoader Create(DatasetMixture mixture, ShardLoaderOptions? options)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        options ??= new ShardLoaderOptions();
        var source = new ConcatenatedSource([.. mixture.Streams.Select(s => s.Dataset)]);
        LoaderOptionChecks.CheckAll(source, options);
        if (options.ZeroCopy)
        {
            throw new ArgumentException("ShardLoaderOptions.ZeroCopy is not supported over a mixture: its batches gather samples of several datasets into a slot. Turn ZeroCopy off.", nameof(options));
        }

        if (options.Ledger && mixture.Streams.FirstOrDefault(s => s.Dataset.SampleCount > 1L << LoaderLedger.StreamShift) is { } huge)
        {
            throw new ArgumentException($"ShardLoaderOptions.Ledger keys a mixture's samples by stream and index below 2^{LoaderLedger.StreamShift}, and '{huge.Dataset.Directory}' has {huge.Dataset.SampleCount} samples. Turn Ledger off.", nameof(options));
        }

        MixtureLayout layout = BuildLayout(mixture, source, options);
        int firstEpoch = 0;
        long firstPosition = 0;
        if (options.ResumeFrom is { } state)
        {
            MixtureChecks.CheckResume(mixture, layout, options, state);
            (firstEpoch, firstPosition) = (state.Epoch, state.Position);
        }

        var schedule = new RankSchedule(layout.EpochSamples, options.BatchSize, options.Rank, options.WorldSize, options.DropLast, firstEpoch, firstPosition, options.Epochs);
        if (options.Epochs is null && schedule.BatchesPerEpoch == 0)
        {
            throw new ArgumentException(
                $"The mixture's {layout.EpochSamples} samples per epoch make no batch of {options.BatchSize} on each of {options.WorldSize} ranks{(options.DropLast ? " with DropLast set" : string.Empty)}, so an endless run would never yield one.",
                nameof(options));
        }

        TransformPlan? transforms = TransformPlan.Create(source.Schema, options);
        BatchTransformStep? batchStep = BatchTransformStep.Create(transforms?.Output ?? source.Schema, options);
        var index = new ChunkIndex(source);
        LoaderMemoryPlan memory = LoaderMemoryPlan.Create(source, options, index, schedule, transforms, layout);
        var orders = new EpochOrderCache(epoch => new MixtureOrder(layout, epoch));
        return new ShardLoader(mixture.Streams[0].Dataset, source, mixture, layout, orders, null, options, index, schedule, memory, transforms, batchStep);
    }

    /// <summary>
    /// Creates a loader over a split of a dataset: each epoch reads every sample of the split once, in the order the
    /// options ask (over the split's samples; a Window order still reads whole chunks in windows).
    /// </summary>
    /// <param name="split">The split; its dataset must outlive the loader.</param>
    /// <param name="options">Order, partitioning, threads and memory; null for the defaults. ZeroCopy is not supported.</param>
    /// <returns>
    /// The loader; <see cref="Batch.Sources"/> gives each sample's index in the split, <see cref="Batch.SampleIndices"/> in
    /// the dataset (what a <see cref="ShardLoaderOptions.Ledger"/> hashes).
    /// </returns>
    /// <exception cref="ArgumentException">An option is out of range or ZeroCopy is set; the split is empty; or the state to resume from belongs to another split or order.</exception>
    public static ShardLoader Create(DatasetSplit split, ShardLoaderOptions? options)
    {
        ArgumentNullException.ThrowIfNull(split);
        return Create(DatasetMixture.Create([MixtureStream.Sampled(split, split.SampleCount)]), options);
    }

    /// <summary>
    /// Creates a loader that walks a split once, in dataset order (Sequential, one logical partition, one epoch), for a
    /// validation or test pass: every rank gets its consecutive share, and together the ranks read each sample once.
    /// </summary>
    /// <param name="split">The split; its dataset must outlive the loader.</param>
    /// <param name="options">Batch size, ranks, threads and memory; null for the defaults. Order, partitions and epochs are set here.</param>
    /// <returns>The loader.</returns>
    /// <exception cref="ArgumentException">An option is out of range or ZeroCopy is set, or the split is empty.</exception>
    public static ShardLoader CreateValidation(DatasetSplit split, ShardLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        options = (options ?? new ShardLoaderOptions()) with { Order = SampleOrder.Sequential, LogicalPartitions = 1, Epochs = 1 };
        return Create(split, options);
    }

    /// <summary>
    /// Returns, batch by batch, where each sample that rank <see cref="ShardLoaderOptions.Rank"/> reads in
    /// <paramref name="epoch"/> of a mixture comes from, without reading any data: the plan a loader with these options follows.
    /// </summary>
    /// <param name="mixture">The mixture (only its datasets' layouts are used).</param>
    /// <param name="options">The order, partitioning and rank; memory and thread options are ignored.</param>
    /// <param name="epoch">The epoch, from 0.</param>
    /// <returns>One array of sources per batch, in delivery order.</returns>
    /// <exception cref="ArgumentException">An order option is out of range, or a stream takes samples but its dataset has none.</exception>
    public static IEnumerable<SampleSource[]> PlanEpoch(DatasetMixture mixture, ShardLoaderOptions options, int epoch)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var source = new ConcatenatedSource([.. mixture.Streams.Select(s => s.Dataset)]);
        LoaderOptionChecks.CheckOrder(source, options);
        MixtureLayout layout = BuildLayout(mixture, source, options);
        var order = new MixtureOrder(layout, epoch);
        var schedule = new RankSchedule(layout.EpochSamples, options.BatchSize, options.Rank, options.WorldSize, options.DropLast, epoch, 0, epoch + 1);
        return Enumerate(layout, order, schedule);

        static IEnumerable<SampleSource[]> Enumerate(MixtureLayout layout, MixtureOrder order, RankSchedule schedule)
        {
            for (long k = 0; schedule.TryGet(k, out BatchPlan batch); k++)
            {
                long[] indices = new long[batch.Count];
                order.Fill(batch.Start, indices);
                yield return [.. indices.Select(layout.SourceOf)];
            }
        }
    }

    /// <summary>Maps a batch's sample indices (in the loader's index space) to their streams and stream-local indices.</summary>
    internal SampleSource[] SourcesOf(ReadOnlySpan<long> samples)
    {
        var sources = new SampleSource[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            sources[i] = _mixtureLayout?.SourceOf(samples[i]) ?? new SampleSource(0, samples[i]);
        }

        return sources;
    }

    private static MixtureLayout BuildLayout(DatasetMixture mixture, ConcatenatedSource source, ShardLoaderOptions options)
    {
        long[] counts = mixture.GetSamplesPerEpoch(options.BatchSize);
        var streams = new ChunkIndex[counts.Length];
        var splits = new SplitMap?[counts.Length];
        long[] sampleBases = new long[counts.Length + 1];
        int[] chunkBases = new int[counts.Length + 1];
        for (int s = 0; s < counts.Length; s++)
        {
            MixtureStream stream = mixture.Streams[s];
            if (counts[s] > 0 && stream.SourceSamples == 0)
            {
                throw new ArgumentException(
                    $"Stream {s} ('{stream.Dataset.Directory}'{(stream.Split is { } empty ? $", split '{empty.Name}'" : string.Empty)}) takes {counts[s]} samples per epoch, and has none.",
                    nameof(mixture));
            }

            var real = new ChunkIndex(stream.Dataset);
            splits[s] = stream.Split is { } split ? new SplitMap(split, real) : null;
            streams[s] = splits[s]?.Layout ?? real;
            sampleBases[s] = source.SampleBase(s);
            chunkBases[s + 1] = checked(chunkBases[s] + real.ChunkCount);
        }

        sampleBases[^1] = source.SampleCount;
        return new MixtureLayout(streams, splits, counts, sampleBases, chunkBases, options, mixture.Granularity);
    }
}
