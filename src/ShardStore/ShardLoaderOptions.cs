namespace ShardStore;

/// <summary>How a <see cref="ShardLoader"/> orders, partitions and batches samples, and what memory and threads it may use.</summary>
/// <remarks>
/// <see cref="Order"/>, <see cref="Seed"/>, <see cref="BatchSize"/>, <see cref="WindowChunks"/>,
/// <see cref="LogicalPartitions"/> and <see cref="DropLast"/> define the sample order; keep them the same on
/// every rank and across resumed runs. <see cref="Rank"/> and <see cref="WorldSize"/> only choose which
/// batches of that order this process receives, so they may change between runs.
/// </remarks>
public sealed record ShardLoaderOptions
{
    /// <summary>Gets the number of samples per batch. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Gets the sample order. Default <see cref="SampleOrder.Window"/>.</summary>
    public SampleOrder Order { get; init; } = SampleOrder.Window;

    /// <summary>Gets how many chunks' worth of samples form one shuffle window in <see cref="SampleOrder.Window"/> order. Default 8.</summary>
    public int WindowChunks { get; init; } = 8;

    /// <summary>
    /// Gets whether, and in pieces of how many consecutive samples, <see cref="SampleOrder.Window"/> order deals each
    /// chunk over several windows: 0 (the default) for pieces chosen from the dataset's mean sample size (about
    /// 64 KiB); a positive count for pieces of that many samples; null for whole-chunk windows (the order before
    /// pieces). With pieces, each window draws from up to 16 x <see cref="WindowChunks"/> chunks (a group of at most
    /// 256 MiB of raw samples when chosen automatically), which mixes data packed in sorted order (by class) far
    /// better, at the cost of batch slots for two groups' span of batches (up to about 512 MiB, against two windows
    /// for whole-chunk windows); README "Sample orders" describes the trade-off. Part of the sample order, like
    /// <see cref="WindowChunks"/>.
    /// </summary>
    public int? WindowPieceSamples { get; init; } = 0;

    /// <summary>Gets the windows a chunk's pieces are spread over (null: chosen from the layout); 1 gives whole-chunk windows, for benchmarks.</summary>
    internal int? WindowSpread { get; init; }

    /// <summary>Gets the seed of every shuffle; the order is a pure function of seed, epoch, partitioning and dataset layout. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Gets the number of epochs to run (counted from epoch 0, also when resuming), or null to run until disposed. Default 1.</summary>
    public int? Epochs { get; init; } = 1;

    /// <summary>
    /// Gets whether the samples that do not fill a batch on every rank are dropped at the end of each epoch (true),
    /// or spread over one last, smaller batch per rank (false, the default). Either way every rank gets the same
    /// number of batches per epoch; with false every sample is delivered exactly once per epoch, and a rank's last
    /// batch is empty when fewer samples remain than there are ranks.
    /// </summary>
    public bool DropLast { get; init; }

    /// <summary>Gets this process's rank, in [0, <see cref="WorldSize"/>). Default 0.</summary>
    public int Rank { get; init; }

    /// <summary>Gets the number of ranks reading the dataset together; each gets a disjoint share of every epoch. Default 1.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>
    /// Gets the number of logical partitions (runs of consecutive chunks) the global order is built from. It must not
    /// change between runs that resume each other; choose a multiple of every world size you will use, so that each
    /// rank reads only its own partitions' chunks. Default 1.
    /// </summary>
    public int LogicalPartitions { get; init; } = 1;

    /// <summary>Gets the number of threads that read, verify, decode and gather samples into batches. Default: all cores.</summary>
    public int DecodeWorkers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Gets how many batches may be in preparation or ready ahead of the consumer; the loader has this many
    /// pinned batch slots plus one for the batch the consumer holds. Default: twice the core count, at least 4.
    /// </summary>
    public int PrefetchDepth { get; init; } = Math.Max(4, 2 * Environment.ProcessorCount);

    /// <summary>
    /// Gets the hard limit, in bytes, on host memory the loader allocates: pinned batch slots, chunks copied out of
    /// the files and decoded (the shuffle window and the chunk cache), their reuse pool, and each worker's scratch
    /// buffers. Default 1 GiB. The page cache, and mapped chunks of <see cref="ZeroCopy"/> batches, do not count.
    /// </summary>
    public long MemoryBudgetBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Gets whether the mapped pages of a chunk handed out by <see cref="ZeroCopy"/> batches are dropped from the
    /// process's resident set once its last batch is disposed, so reading a dataset larger than RAM does not grow
    /// RSS; the page cache keeps them, so a later read costs a minor fault, not I/O. Copied batches read the files
    /// with positioned reads and map nothing, so this does not concern them. Default null: release when the
    /// dataset's stored bytes exceed a quarter of the memory available to the process, keep them mapped otherwise.
    /// </summary>
    public bool? ReleaseConsumedPages { get; init; }

    /// <summary>
    /// Gets whether, in <see cref="SampleOrder.Sequential"/> order, a batch that lies inside one uncompressed chunk
    /// (codec none) is handed out with no copy, as spans straight over the shard file's mapping
    /// (<see cref="Batch.IsZeroCopy"/>); other batches are filled as usual. Mapped spans are page-cache memory, not
    /// the pinned slots that asynchronous GPU copies need, so a <c>DeviceRing</c> refuses such a loader. Only a dataset
    /// read with <see cref="Storage.ShardReadMode.Mapped"/> has mappings; the loader refuses the option otherwise. Default false.
    /// </summary>
    public bool ZeroCopy { get; init; }

    /// <summary>
    /// Gets the per-sample transforms the decode workers run, in order, between decoding a chunk and writing the batch
    /// slot (decoding and augmenting images, for instance); null or empty for none. The batches' schema
    /// (<see cref="ShardLoader.Schema"/>) is the transformed one. Each transform draws its random choices from a generator
    /// keyed by <see cref="Seed"/>, the epoch, the sample's global index and the transform's index in this list, so
    /// batches are the same whatever <see cref="DecodeWorkers"/>, <see cref="WorldSize"/> or resume point. Not with
    /// <see cref="ZeroCopy"/>.
    /// </summary>
    public IReadOnlyList<Transforms.ISampleTransform>? Transforms { get; init; }

    /// <summary>
    /// Gets what the loader does when a transform rejects a sample with an <see cref="InvalidDataException"/>: stop with an
    /// error naming the sample, shard and chunk (the default), or skip the sample, keeping its place with zero-filled outputs.
    /// </summary>
    public Transforms.TransformErrorPolicy TransformErrors { get; init; }

    /// <summary>
    /// Gets the per-batch steps the decode workers run, in order, on each batch once every sample of it is written and
    /// before it is handed out; null or empty for none. Not with <see cref="ZeroCopy"/>.
    /// </summary>
    public IReadOnlyList<Transforms.IBatchTransform>? BatchTransforms { get; init; }

    /// <summary>Gets a state from <see cref="ShardLoader.GetState"/> to continue from, or null to start at epoch 0.</summary>
    public LoaderState? ResumeFrom { get; init; }

    /// <summary>Gets how batch slots are filled; the loader chooses unless a test pins it.</summary>
    internal Internals.Loading.BatchAssembly Assembly { get; init; }

    /// <summary>
    /// Gets whether the loader keeps a ledger of the samples it delivers (<see cref="LoaderLedger"/>): per epoch a count
    /// and an order-independent hash of their keys (global indices; over a mixture, <see cref="LoaderLedger.Key"/> of
    /// stream and dataset index; over a split, dataset indices), saved in <see cref="LoaderState"/> and continued on
    /// resume, so that the states of every rank prove (with <c>shardpack order --ledger</c>) that a run with restarts
    /// saw every sample exactly once. Default false. It costs one hash per sample on the consumer's thread.
    /// </summary>
    public bool Ledger { get; init; }
}
