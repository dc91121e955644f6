using System.Diagnostics.CodeAnalysis;
using System.IO.MemoryMappedFiles;
using BenchmarkDotNet.Attributes;
using ShardStore.Benchmarks.Infrastructure;
using ShardStore.Format;

namespace ShardStore.Benchmarks;

/// <summary>
/// One epoch's batches from a page-cached, uncompressed dataset per invocation, in Sequential and in Random order,
/// through the public loader API only, against a memcpy of the same number of bytes on as many threads as the
/// loader has decode workers.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>LoaderSequential</c> and <c>LoaderRandom</c> take <see cref="ShardLoader.BatchesPerEpoch"/> batches (exactly
/// one epoch, from an epoch boundary) per invocation from a loader created in setup with <c>Epochs = null</c>, as a
/// training loop that runs many epochs does: the steady-state cost of gathering. Each batch's field spans are taken
/// with <see cref="Batch.GetFixed{T}(int)"/> or <see cref="Batch.GetVariable{T}(int)"/> and the batch is disposed;
/// the consumer does not read the values (the baseline does not read its copies either). Between iterations the
/// loader prefetches up to <see cref="PrefetchDepth"/> batches, a few percent of an iteration's batches at most.</item>
/// <item><c>LoaderSequentialWithStartup</c> creates a one-epoch loader, reads the epoch and disposes the loader per
/// invocation: the steady-state cost plus starting the workers, allocating the pinned slots, the first batch's
/// latency and shutting down.</item>
/// <item>The dataset is opened with <see cref="ChecksumPolicy.FirstTouch"/> and read once in setup, so every CRC is
/// verified and every page is in the page cache before anything is measured; pages stay mapped
/// (<c>ReleaseConsumedPages = false</c>).</item>
/// <item>The baseline maps the same shard files itself and copies the chunks' bytes, in file order, into one
/// reused batch-sized buffer per thread (cache-resident, like the loader's slots), in as many pieces as the
/// epoch has batches, dealt round-robin to <see cref="Workers"/> threads. It copies exactly the bytes the loader
/// delivers per epoch: for fixed fields that is every chunk byte, for variable fields all but the chunks'
/// offset arrays.</item>
/// </list>
/// </remarks>
public abstract unsafe class BatchGatherBenchmarks : ScratchDirectoryBenchmark
{
    /// <summary>The loader's prefetch depth (its default on a 2-core machine), set explicitly.</summary>
    protected const int PrefetchDepth = 4;

    private readonly List<(MemoryMappedFile File, MemoryMappedViewAccessor View)> _mappings = [];
    private ShardDataset? _dataset;
    private ShardLoader? _sequential;
    private ShardLoader? _random;
    private Segment[][] _pieces = [];
    private byte[][] _destinations = [];
    private Action<int>? _copyPieces;

    /// <summary>Gets or sets the loader's decode workers, and the baseline's copy threads.</summary>
    [Params(1, 2)]
    public int Workers { get; set; }

    /// <summary>Gets or sets how the page-cached dataset is read: mapped, or directly with positioned reads and nothing mapped.</summary>
    [Params(ShardStore.Storage.ShardReadMode.Mapped, ShardStore.Storage.ShardReadMode.Direct)]
    public ShardStore.Storage.ShardReadMode ReadMode { get; set; }

    /// <summary>Gets the samples per batch.</summary>
    protected abstract int BatchSize { get; }

    /// <summary>Gets the field value bytes one epoch delivers (the class's throughput constant).</summary>
    protected abstract long BytesPerEpoch { get; }

    /// <summary>Gets the samples in the dataset.</summary>
    protected abstract long SamplesPerEpoch { get; }

    /// <inheritdoc/>
    protected override string ScratchName => "gather";

    /// <inheritdoc/>
    protected override void Release()
    {
        foreach ((MemoryMappedFile file, MemoryMappedViewAccessor view) in _mappings)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            file.Dispose();
        }

        _mappings.Clear();
        _sequential?.Dispose();
        _random?.Dispose();
        _dataset?.Dispose();
    }

    /// <summary>memcpy of the epoch's bytes from the mapped shard files into batch-sized buffers, on <see cref="Workers"/> threads.</summary>
    [Benchmark(Baseline = true)]
    public long MemoryCopy()
    {
        if (Workers == 1)
        {
            CopyPieces(0);
        }
        else
        {
            Parallel.For(0, Workers, _copyPieces!);
        }

        return BytesPerEpoch;
    }

    /// <summary>One epoch of batches in Sequential order from a long-lived loader with <see cref="Workers"/> decode workers.</summary>
    [Benchmark]
    public long LoaderSequential() => TakeEpoch(_sequential!);

    /// <summary>One epoch of batches in Random order (a full permutation) from a long-lived loader with <see cref="Workers"/> decode workers.</summary>
    [Benchmark]
    public long LoaderRandom() => TakeEpoch(_random!);

    /// <summary>Creates a one-epoch Sequential loader, reads all its batches and disposes it.</summary>
    [Benchmark]
    public long LoaderSequentialWithStartup()
    {
        using ShardLoader loader = ShardLoader.Create(_dataset!, Options(SampleOrder.Sequential, epochs: 1));
        long bytes = 0;
        while (loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                bytes += ConsumeBatch(batch);
            }
        }

        return bytes;
    }

    /// <summary>Writes the dataset, uncompressed.</summary>
    protected abstract void WriteDataset(string directory);

    /// <summary>Takes the batch's field values through the public accessors; returns their bytes.</summary>
    protected abstract long ConsumeBatch(Batch batch);

    private static void Check([DoesNotReturnIf(false)] bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark setup: {problem}.");
        }
    }

    private long TakeEpoch(ShardLoader loader)
    {
        long bytes = 0;
        for (long i = loader.BatchesPerEpoch; i > 0; i--)
        {
            using Batch batch = loader.NextBatch()!;
            bytes += ConsumeBatch(batch);
        }

        return bytes;
    }

    private ShardLoaderOptions Options(SampleOrder order, int? epochs) => new()
    {
        Order = order,
        BatchSize = BatchSize,
        DecodeWorkers = Workers,
        PrefetchDepth = PrefetchDepth,
        Seed = 1,
        Epochs = epochs,
        ReleaseConsumedPages = false,
    };

    private void CopyPieces(int thread)
    {
        Segment[][] pieces = _pieces;
        fixed (byte* destination = _destinations[thread])
        {
            for (int p = thread; p < pieces.Length; p += Workers)
            {
                foreach (Segment s in pieces[p])
                {
                    Buffer.MemoryCopy((void*)s.Source, destination + s.DestinationOffset, s.Length, s.Length);
                }
            }
        }
    }

    /// <inheritdoc/>
    protected override void Prepare()
    {
        WriteDataset(ScratchDirectory);
        _dataset = ShardDataset.Open(ScratchDirectory, new ShardDatasetOptions { Checksums = ChecksumPolicy.FirstTouch, ReadMode = ReadMode });

        // The first epoch verifies every chunk's CRC and reads the files into the page cache.
        Check(LoaderSequentialWithStartup() == BytesPerEpoch, $"a one-epoch loader did not deliver {BytesPerEpoch} bytes");
        Check(CountSamples() == SamplesPerEpoch, $"an epoch did not deliver {SamplesPerEpoch} samples");

        _sequential = ShardLoader.Create(_dataset, Options(SampleOrder.Sequential, epochs: null));
        _random = ShardLoader.Create(_dataset, Options(SampleOrder.Random, epochs: null));
        foreach (ShardLoader loader in new[] { _sequential, _random })
        {
            Check(TakeEpoch(loader) == BytesPerEpoch, $"an epoch of {loader.Options.Order} order did not deliver {BytesPerEpoch} bytes");
        }

        BuildPieces();
        _destinations = [.. Enumerable.Range(0, Workers).Select(_ => GC.AllocateArray<byte>(_pieces.Max(p => p.Sum(s => s.Length)), pinned: true))];
        _copyPieces = CopyPieces;
        MemoryCopy();
        Check(_pieces.Sum(p => p.Sum(s => (long)s.Length)) == BytesPerEpoch, $"the baseline does not copy {BytesPerEpoch} bytes");
    }

    private long CountSamples()
    {
        using ShardLoader loader = ShardLoader.Create(_dataset!, Options(SampleOrder.Sequential, epochs: 1));
        long samples = 0;
        while (loader.NextBatch() is { } batch)
        {
            samples += batch.Count;
            batch.Dispose();
        }

        return samples;
    }

    // Maps every shard and cuts the chunks' bytes, in file order, into one piece per batch of the epoch; a piece
    // that straddles two chunks is two segments.
    private void BuildPieces()
    {
        var regions = new List<(nint Source, long Length)>();
        for (int s = 0; s < _dataset!.Shards.Count; s++)
        {
            string path = Path.Combine(_dataset.Directory, _dataset.Shards[s].FileName);
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            MemoryMappedFile file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            MemoryMappedViewAccessor view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _mappings.Add((file, view));
            pointer += view.PointerOffset;
            for (int c = 0; c < _dataset.GetChunkCount(s); c++)
            {
                ChunkEntry entry = _dataset.GetEntry(s, c);
                regions.Add(((nint)(pointer + entry.Offset), entry.StoredSize));
            }
        }

        int pieceCount = checked((int)((SamplesPerEpoch + BatchSize - 1) / BatchSize));
        long pieceBytes = (BytesPerEpoch + pieceCount - 1) / pieceCount;
        var pieces = new List<Segment[]>();
        var current = new List<Segment>();
        int filled = 0;
        long remaining = BytesPerEpoch;
        foreach ((nint source, long length) in regions)
        {
            long used = 0;
            while (used < length && remaining > 0)
            {
                int take = (int)Math.Min(Math.Min(length - used, pieceBytes - filled), remaining);
                current.Add(new Segment(source + (nint)used, take, filled));
                used += take;
                filled += take;
                remaining -= take;
                if (filled == pieceBytes || remaining == 0)
                {
                    pieces.Add([.. current]);
                    current.Clear();
                    filled = 0;
                }
            }
        }

        Check(remaining == 0, $"the chunks hold fewer than the {BytesPerEpoch} bytes an epoch delivers");
        _pieces = [.. pieces];
    }

    private readonly record struct Segment(nint Source, int Length, int DestinationOffset);
}
