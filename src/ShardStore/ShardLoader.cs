
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using ShardStore.Format;
using ShardStore.Internals.Loading;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardStore;

/// <summary>
/// Streams batches from a <see cref="ShardDataset"/> in a deterministic order, with parallel decode into pinned
/// batch slots, prefetch ahead of the consumer, and host memory under a hard budget.
/// </summary>
/// <remarks>
/// <para>
/// Pipeline: a planner computes each batch's samples (a pure function of seed, epoch, partitioning and dataset
/// layout); <see cref="ShardLoaderOptions.DecodeWorkers"/> threads read, verify and decode the chunks those
/// samples live in (each chunk once, however many batches need it) and gather the samples into one of the
/// loader's pinned, 4 KiB-aligned batch slots; finished batches pass, in order, through a bounded channel to
/// the consumer, who reads them with <see cref="ReadAsync"/> or <see cref="NextBatch"/>.
/// </para>
/// <para>
/// One consumer at a time. Dispose each <see cref="Batch"/> to hand its slot back. A corrupt chunk surfaces
/// on the consumer side, after every batch before it, as the <see cref="InvalidDataException"/> naming the
/// file, shard and chunk; the loader then stops. Disposing the loader stops every worker and frees every
/// slot and buffer (slots of batches the consumer still holds are freed when those are disposed).
/// </para>
/// </remarks>
public sealed class ShardLoader : IDisposable, IAsyncDisposable
{
    private readonly ShardDataset _dataset;
    private readonly ShardLoaderOptions _options;
    private readonly ChunkIndex _layout;
    private readonly RankSchedule _plan;
    private readonly MemoryBudget _budget;
    private readonly LoaderChunkCache _cache;
    private readonly LoaderChunkReader _reader;
    private readonly BatchSlot[] _slots;
    private readonly Queue<BatchSlot> _freeSlots = new();
    private readonly SemaphoreSlim _slotSignal;
    // How often a worker blocked on a claim or a slot looks whether the chunks it keeps pinned are needed elsewhere.
    private static readonly TimeSpan s_pressurePoll = TimeSpan.FromMilliseconds(10);
    private readonly object _claimLock = new();
    private readonly object _slotLock = new();
    private readonly object _publishLock = new();
    private readonly Dictionary<long, Item> _pending = [];
    private readonly Channel<Item> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<EpochOrder> _orders = [];
    private readonly string _fingerprint;
    private readonly ChunkScatter? _scatter;
    private readonly int[] _hinted;
    private readonly long _workerBufferBytes;
    private Task[]? _workers;
    private IDisposable? _consumer;
    private long _nextSequence;
    private long _nextToPublish;
    private bool _exhausted;
    private volatile bool _faulted;
    private bool _closed;
    private int _outstanding;
    private int _disposed;
    private ExceptionDispatchInfo? _terminalError;
    private bool _finished;
    private int _stateEpoch;
    private long _statePosition;
    private long _batches;
    private long _samples;
    private long _bytes;
    private long _waitTicks;
    private long _mappedBatches;
    private int _unpublished;

    private ShardLoader(ShardDataset dataset, ShardLoaderOptions options, ChunkIndex layout, RankSchedule plan, MemoryBudget budget, int slotCount, bool scatter)
    {
        _dataset = dataset;
        _options = options;
        _layout = layout;
        _plan = plan;
        _budget = budget;
        _fingerprint = dataset.Fingerprint;
        _hinted = new int[layout.ChunkCount];
        _stateEpoch = options.ResumeFrom?.Epoch ?? 0;
        _statePosition = options.ResumeFrom?.Position ?? 0;
        budget.Changed = delta => LoaderMetrics.BudgetInUse.Add(delta);
        _slots = new BatchSlot[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            _slots[i] = BatchSlot.TryCreate(dataset.Schema, options.BatchSize, budget, i)
                ?? throw new InvalidOperationException("The memory budget changed while the loader was being created.");
            _freeSlots.Enqueue(_slots[i]);
        }

        _slotSignal = new SemaphoreSlim(slotCount, slotCount);
        // Chunks kept decoded or mapped: batches in flight can straddle two windows in every partition.
        int maxEntries = options.Order switch
        {
            SampleOrder.Random => Math.Max(4096, 2 * options.BatchSize),
            SampleOrder.Window => (2 * options.WindowChunks * options.LogicalPartitions) + (2 * options.DecodeWorkers) + 2,
            _ => (2 * options.LogicalPartitions) + (2 * options.DecodeWorkers) + 2,
        };
        bool dropPages = options.Order != SampleOrder.Random && ShouldReleasePages(dataset, options);
        _reader = new LoaderChunkReader(dataset, dropPages);
        _cache = new LoaderChunkCache(dataset, layout, budget, maxEntries, _reader, byPriority: options.Order != SampleOrder.Random);

        // Each worker's own buffers: room for a compressed chunk's stored bytes, and in scatter mode the chunk it decodes into.
        _workerBufferBytes = WorkerBufferBytes(options, layout, scatter);
        if (!budget.TryReserve(_workerBufferBytes))
        {
            throw new InvalidOperationException("The memory budget changed while the loader was being created.");
        }

        if (scatter)
        {
            _scatter = new ChunkScatter(dataset, layout, _reader, HintUpcoming);
        }

        _channel = Channel.CreateBounded<Item>(new BoundedChannelOptions(slotCount + 1) { SingleReader = true, SingleWriter = false });
    }

    /// <summary>Gets the dataset being read.</summary>
    public ShardDataset Dataset => _dataset;

    /// <summary>Gets the options the loader was created with.</summary>
    public ShardLoaderOptions Options => _options;

    /// <summary>Gets the number of batches this rank receives in a whole epoch.</summary>
    public long BatchesPerEpoch => _plan.BatchesPerEpoch;

    /// <summary>Gets the number of batches this loader will deliver in all, or null when it runs until disposed.</summary>
    public long? TotalBatches => _plan.TotalBatches;

    /// <summary>
    /// Gets the number of pinned batch slots: <see cref="ShardLoaderOptions.PrefetchDepth"/> + 1, or, when batches of
    /// compressed chunks in Sequential or Window order are assembled by scatter, enough for two windows of batches
    /// plus the prefetch depth (as the memory budget allows).
    /// </summary>
    public int SlotCount => _slots.Length;

    /// <summary>Gets a snapshot of the loader's counters.</summary>
    public ShardLoaderStatistics Statistics => new(
        Interlocked.Read(ref _batches),
        Interlocked.Read(ref _samples),
        Interlocked.Read(ref _bytes),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitTicks)),
        _reader.DecodeTime,
        _reader.ChunksLoaded,
        _budget.InUseBytes,
        _budget.PeakBytes,
        Interlocked.Read(ref _mappedBatches));

    /// <summary>Gets the loader's batch slots (for page-locking their buffers for GPU copies).</summary>
    internal IReadOnlyList<BatchSlot> Slots => _slots;

    /// <summary>Gets whether batches are assembled by decoding each chunk once and scattering its samples (see <see cref="ChunkScatter"/>).</summary>
    internal bool Scatters => _scatter is not null;

    /// <summary>Gets whether a consumer that takes batches on its own (a device ring) is attached.</summary>
    internal bool HasAttachedConsumer => Volatile.Read(ref _consumer) is not null;

    /// <summary>Gets the number of worker threads still running (for leak checks).</summary>
    internal int RunningWorkers => _workers?.Count(t => !t.IsCompleted) ?? 0;

    /// <summary>Creates a loader; nothing is read until the first batch is asked for.</summary>
    /// <param name="dataset">An open dataset; it must outlive the loader.</param>
    /// <param name="options">Order, partitioning, threads and memory; null for the defaults.</param>
    /// <returns>The loader.</returns>
    /// <exception cref="ArgumentException">
    /// An option is out of range; the memory budget cannot hold the batch slots plus one decoded chunk per worker;
    /// or <see cref="ShardLoaderOptions.ResumeFrom"/> belongs to another dataset or another order.
    /// </exception>
    public static ShardLoader Create(ShardDataset dataset, ShardLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new ShardLoaderOptions();
        ValidateOrderOptions(dataset, options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DecodeWorkers, 1, "options.DecodeWorkers");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PrefetchDepth, 1, "options.PrefetchDepth");
        if (options.Epochs is { } epochs)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(epochs, "options.Epochs");
        }

        int firstEpoch = 0;
        long firstPosition = 0;
        if (options.ResumeFrom is { } state)
        {
            CheckState(dataset, options, state);
            (firstEpoch, firstPosition) = (state.Epoch, state.Position);
        }

        var plan = new RankSchedule(dataset.SampleCount, options.BatchSize, options.Rank, options.WorldSize, options.DropLast, firstEpoch, firstPosition, options.Epochs);
        if (options.Epochs is null && plan.BatchesPerEpoch == 0)
        {
            throw new ArgumentException(
                $"The dataset's {dataset.SampleCount} samples make no batch of {options.BatchSize} on each of {options.WorldSize} ranks with DropLast set, so an endless run would never yield one.",
                nameof(options));
        }

        var layout = new ChunkIndex(dataset);
        int slotCount = options.PrefetchDepth + 1;
        long slotBytes = slotCount * BatchSlot.InitialBytes(dataset.Schema, options.BatchSize);
        int scatterSlots = ScatterSlotCount(dataset, options, layout, plan);
        long chunkBytes = WorkerBufferBytes(options, layout, scatter: true);
        if (slotBytes + chunkBytes > options.MemoryBudgetBytes)
        {
            throw new ArgumentException(
                $"ShardLoaderOptions.MemoryBudgetBytes ({options.MemoryBudgetBytes}) cannot hold {slotCount} batch slots ({slotBytes} bytes) plus one chunk buffer and the stored bytes of one compressed chunk per decode worker ({chunkBytes} bytes); raise it, or lower BatchSize, PrefetchDepth or DecodeWorkers.",
                nameof(options));
        }

        bool scatter = scatterSlots > 0;
        return new ShardLoader(dataset, options, layout, plan, new MemoryBudget(options.MemoryBudgetBytes), scatter ? scatterSlots : slotCount, scatter);
    }

    /// <summary>
    /// Returns, batch by batch, the global sample indices that rank <see cref="ShardLoaderOptions.Rank"/> reads in
    /// <paramref name="epoch"/>, without reading any data: the same plan a loader with these options follows.
    /// </summary>
    /// <param name="dataset">The dataset (only its layout is used).</param>
    /// <param name="options">The order, partitioning and rank; memory and thread options are ignored.</param>
    /// <param name="epoch">The epoch, from 0.</param>
    /// <returns>One array of sample indices per batch, in delivery order.</returns>
    /// <exception cref="ArgumentException">An order option is out of range.</exception>
    public static IEnumerable<long[]> PlanEpoch(ShardDataset dataset, ShardLoaderOptions options, int epoch)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ValidateOrderOptions(dataset, options);
        var layout = new ChunkIndex(dataset);
        var order = new EpochOrder(layout, options.Order, options.Seed, epoch, options.LogicalPartitions, options.WindowChunks, options.BatchSize);
        var plan = new RankSchedule(dataset.SampleCount, options.BatchSize, options.Rank, options.WorldSize, options.DropLast, epoch, 0, epoch + 1);
        return Enumerate(order, plan);

        static IEnumerable<long[]> Enumerate(EpochOrder order, RankSchedule plan)
        {
            for (long k = 0; plan.TryGet(k, out BatchPlan batch); k++)
            {
                long[] indices = new long[batch.Count];
                order.Fill(batch.Start, indices);
                yield return indices;
            }
        }
    }

    /// <summary>Returns the next batch, waiting for it if it is not ready; null when every epoch is done.</summary>
    /// <param name="cancellationToken">Stops the wait (the loader keeps going).</param>
    /// <returns>The batch (dispose it when done), or null at the end.</returns>
    /// <exception cref="InvalidDataException">A chunk the batch needs is corrupt; the message names file, shard and chunk.</exception>
    /// <exception cref="InvalidOperationException">The consumer holds every batch slot without disposing them, or the budget cannot hold a batch.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    public Batch? NextBatch(CancellationToken cancellationToken = default)
    {
        if (!TryTakeReady(out Item item))
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                while (!_channel.Reader.TryRead(out item))
                {
                    if (!_channel.Reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
                    {
                        return Finish();
                    }
                }
            }
            finally
            {
                AddWait(start);
            }
        }

        return Deliver(item);
    }

    /// <summary>Streams the remaining batches.</summary>
    /// <param name="cancellationToken">Stops the stream (the loader keeps going).</param>
    /// <returns>The batches in order; dispose each when done.</returns>
    /// <exception cref="InvalidDataException">A chunk is corrupt; thrown when the stream reaches the batch that needs it.</exception>
    /// <exception cref="InvalidOperationException">The consumer holds every batch slot without disposing them, or the budget cannot hold a batch.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    public async IAsyncEnumerable<Batch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!TryTakeReady(out Item item))
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    while (!_channel.Reader.TryRead(out item))
                    {
                        if (!await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            Finish();
                            yield break;
                        }
                    }
                }
                finally
                {
                    AddWait(start);
                }
            }

            Batch? batch = Deliver(item);
            if (batch is null)
            {
                yield break;
            }

            yield return batch;
        }
    }

    /// <summary>Returns where the consumer stands: a loader created with it as <see cref="ShardLoaderOptions.ResumeFrom"/> yields exactly the batches still to come.</summary>
    /// <returns>The state; batches prefetched but not yet handed out count as still to come.</returns>
    public LoaderState GetState()
    {
        lock (_publishLock)
        {
            return new LoaderState
            {
                DatasetFingerprint = _fingerprint,
                DatasetIdentity = _dataset.Identity,
                Seed = _options.Seed,
                Order = _options.Order,
                BatchSize = _options.BatchSize,
                WindowChunks = _options.WindowChunks,
                LogicalPartitions = _options.LogicalPartitions,
                DropLast = _options.DropLast,
                Epoch = _stateEpoch,
                Position = _statePosition,
                WorldSize = _options.WorldSize,
            };
        }
    }

    /// <summary>
    /// Stops every worker and frees every slot and buffer; batches the consumer holds are freed when disposed. A
    /// device ring still running over the loader is disposed first. Safe to call twice.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // A ring reads this loader from its own thread and holds its slots page-locked: stop it before the slots go.
        Interlocked.Exchange(ref _consumer, null)?.Dispose();
        _stop.Cancel();
        if (_workers is { } workers)
        {
            Task.WaitAll(workers);
        }

        var orphans = new List<Batch>();
        lock (_publishLock)
        {
            _closed = true;
            orphans.AddRange(_pending.Values.Select(i => i.Batch).OfType<Batch>());
            _pending.Clear();
            _channel.Writer.TryComplete();
        }

        while (_channel.Reader.TryRead(out Item item))
        {
            if (item.Batch is { } b)
            {
                orphans.Add(b);
            }
        }

        foreach (Batch b in orphans)
        {
            b.Dispose();
        }

        if (_scatter is { } scatter)
        {
            List<ScatterBatch> incomplete;
            lock (scatter.Sync)
            {
                incomplete = scatter.TakeIncomplete();
            }

            foreach (ScatterBatch b in incomplete)
            {
                ReleaseSlot(b.Slot);
            }
        }

        _budget.Release(_workerBufferBytes);

        lock (_slotLock)
        {
            while (_freeSlots.TryDequeue(out BatchSlot? slot))
            {
                slot.Dispose();
            }
        }

        _cache.Dispose();
        _slotSignal.Dispose();
        _stop.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    // Ends the lease of a batch handed out over the mapping; the chunk's pages are dropped (when the loader drops
    // consumed pages) only by the batch that ends the chunk, since earlier ones leave the rest of it to read.
    internal void ReleaseMapped(ChunkLease lease, bool endsChunk)
    {
        if (endsChunk)
        {
            _reader.Release(lease);
        }
        else
        {
            lease.Dispose();
        }
    }

    /// <summary>
    /// Attaches a consumer that reads this loader from its own thread and uses its slots (a device ring), so that
    /// disposing the loader disposes it first, before the slots are freed.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another consumer is attached.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    internal void AttachConsumer(IDisposable consumer)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.CompareExchange(ref _consumer, consumer, null) is not null)
        {
            throw new InvalidOperationException("Another DeviceRing already reads this loader; a loader feeds one ring (dispose that ring first).");
        }

        if (_disposed != 0)
        {
            Interlocked.CompareExchange(ref _consumer, null, consumer);
            throw new ObjectDisposedException(nameof(ShardLoader));
        }
    }

    /// <summary>Detaches a consumer from <see cref="AttachConsumer"/> (it was disposed); nothing if it is not the one attached.</summary>
    internal void DetachConsumer(IDisposable consumer) => Interlocked.CompareExchange(ref _consumer, null, consumer);

    internal void ReturnSlot(BatchSlot slot)
    {
        Interlocked.Decrement(ref _outstanding);
        ReleaseSlot(slot);
    }

    private static void ValidateOrderOptions(ShardDataset dataset, ShardLoaderOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, "options.BatchSize");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchSize, BatchGatherer.MaxBatchSize, "options.BatchSize");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WindowChunks, 1, "options.WindowChunks");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WorldSize, 1, "options.WorldSize");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Rank, "options.Rank");
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.Rank, options.WorldSize, "options.Rank");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.LogicalPartitions, 1, "options.LogicalPartitions");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.LogicalPartitions, Math.Max(1, dataset.ChunkCount), "options.LogicalPartitions");
        if (!Enum.IsDefined(options.Order))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Order, "Unknown sample order.");
        }
    }

    // Scatter (see ChunkScatter) pays in Window order (each chunk read once, in one burst, not sample by sample
    // across the window) and for compressed chunks in Sequential order (no decoded-chunk cache); Sequential
    // order over uncompressed chunks gathers into a few slots that stay in the CPU cache. It needs slots for every batch between a batch and the end of the windows it reads, or it could not
    // make progress: two such spans (one being consumed, one being filled) plus the prefetch depth is the aim,
    // one span plus one the least; past the run's batch count, slots are useless. 0: gather instead.
    private static int ScatterSlotCount(ShardDataset dataset, ShardLoaderOptions options, ChunkIndex layout, RankSchedule plan)
    {
        bool wanted = options.Assembly switch
        {
            BatchAssembly.Scatter => true,
            BatchAssembly.Gather => false,
            _ => options.Order == SampleOrder.Window || layout.MaxDecodedChunkBytes > 0,
        };
        if (!wanted || options.Order == SampleOrder.Random || !ChunkScatter.Supports(dataset.Schema) || layout.ChunkCount == 0)
        {
            return 0;
        }

        int span = ChunkScatter.SpanBatches(layout, options.Order, options.WindowChunks, options.LogicalPartitions, options.BatchSize, options.WorldSize);
        long cap = plan.TotalBatches is { } total ? total + 1 : long.MaxValue;
        long least = Math.Min(span + 1L, cap);
        long aim = Math.Min((2L * span) + options.PrefetchDepth + 1, cap);
        long perSlot = BatchSlot.InitialBytes(dataset.Schema, options.BatchSize);
        long affordable = (options.MemoryBudgetBytes - WorkerBufferBytes(options, layout, scatter: true)) / perSlot;
        long slots = Math.Min(aim, affordable);
        return slots < least || slots < 1 ? 0 : (int)Math.Min(slots, 1 << 20);
    }

    // Every worker copies compressed chunks' stored bytes into a scratch buffer of its own; a scatter worker also
    // has the buffer it copies or decodes each chunk into (a gathering worker rents that from the chunk cache).
    internal static long WorkerBufferBytes(ShardLoaderOptions options, ChunkIndex layout, bool scatter) =>
        options.DecodeWorkers * (ChunkBufferPool.RoundUp(BatchGatherer.ScratchBytes(layout)) + (scatter ? ChunkBufferPool.RoundUp(layout.MaxRawChunkBytes) : 0));

    private static bool ShouldReleasePages(ShardDataset dataset, ShardLoaderOptions options) =>
        options.ReleaseConsumedPages ?? dataset.Shards.Sum(s => s.FileBytes) > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;

    private static void CheckState(ShardDataset dataset, ShardLoaderOptions options, LoaderState state)
    {
        if (state.DatasetIdentity is { } identity && dataset.Identity is { } current && identity != current)
        {
            throw new ArgumentException(
                $"The loader state belongs to dataset {identity} (fingerprint {state.DatasetFingerprint}), not to '{dataset.Directory}' (dataset {current}, fingerprint {dataset.Fingerprint}), which is another pack; resume with the dataset it was taken from.",
                nameof(options));
        }

        if (state.DatasetFingerprint != dataset.Fingerprint)
        {
            throw new ArgumentException(
                $"The loader state belongs to dataset {state.DatasetFingerprint}, not to '{dataset.Directory}' ({dataset.Fingerprint}); resume with the dataset it was taken from.",
                nameof(options));
        }

        string? mismatch =
            state.Seed != options.Seed ? $"Seed {state.Seed} (options: {options.Seed})"
            : state.Order != options.Order ? $"Order {state.Order} (options: {options.Order})"
            : state.BatchSize != options.BatchSize ? $"BatchSize {state.BatchSize} (options: {options.BatchSize})"
            : state.WindowChunks != options.WindowChunks ? $"WindowChunks {state.WindowChunks} (options: {options.WindowChunks})"
            : state.LogicalPartitions != options.LogicalPartitions ? $"LogicalPartitions {state.LogicalPartitions} (options: {options.LogicalPartitions})"
            : state.DropLast != options.DropLast ? $"DropLast {state.DropLast} (options: {options.DropLast})"
            : null;
        if (mismatch is not null)
        {
            throw new ArgumentException($"The loader state was taken with {mismatch}; resume with the same order options.", nameof(options));
        }

        if (state.Position > dataset.SampleCount)
        {
            throw new ArgumentException($"The loader state's position {state.Position} is past the dataset's {dataset.SampleCount} samples.", nameof(options));
        }
    }

    private bool TryTakeReady(out Item item)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _terminalError?.Throw();
        if (_finished)
        {
            item = default;
            return true;
        }

        EnsureStarted();
        if (_channel.Reader.TryRead(out item))
        {
            return true;
        }

        if (Volatile.Read(ref _outstanding) >= _slots.Length)
        {
            throw new InvalidOperationException(
                $"All {_slots.Length} batch slots are held by batches that were not disposed; dispose each batch when done with it (or raise ShardLoaderOptions.PrefetchDepth).");
        }

        return false;
    }

    private Batch? Deliver(Item item)
    {
        if (_finished)
        {
            return null;
        }

        if (item.Error is { } error)
        {
            _terminalError = error;
            error.Throw();
        }

        if (item.Batch is not { } batch)
        {
            return Finish();
        }

        Interlocked.Increment(ref _outstanding);
        lock (_publishLock)
        {
            _stateEpoch = item.Plan.NextEpoch;
            _statePosition = item.Plan.NextPosition;
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _samples, batch.Count);
        Interlocked.Add(ref _bytes, item.Bytes);
        LoaderMetrics.Batches.Add(1);
        LoaderMetrics.Samples.Add(batch.Count);
        LoaderMetrics.Bytes.Add(item.Bytes);
        return batch;
    }

    private Batch? Finish()
    {
        _finished = true;
        return null;
    }

    private void AddWait(long start)
    {
        long ticks = Stopwatch.GetTimestamp() - start;
        Interlocked.Add(ref _waitTicks, ticks);
        LoaderMetrics.ConsumerWait.Add(Stopwatch.GetElapsedTime(0, ticks).TotalSeconds);
    }

    private void EnsureStarted()
    {
        if (_workers is not null)
        {
            return;
        }

        lock (_claimLock)
        {
            Action run = _scatter is null ? RunWorker : RunScatterWorker;
            _workers ??= [.. Enumerable.Range(0, _options.DecodeWorkers).Select(_ => Task.Factory.StartNew(run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        }
    }

    private void RunWorker()
    {
        CancellationToken stop = _stop.Token;
        var assembler = new BatchGatherer(_dataset, _layout, _cache, _options.BatchSize, holdReady: _options.Order == SampleOrder.Random, HintUpcoming);
        try
        {
            while (true)
            {
                BatchSlot slot;
                BatchPlan plan;
                bool claiming = false;
                try
                {
                    // While blocked here or waiting for a slot, let pinned chunks go once another worker needs their
                    // room: it may be finishing the batch the consumer waits for.
                    while (!claiming)
                    {
                        Monitor.TryEnter(_claimLock, s_pressurePoll, ref claiming);
                        ReleaseHeldUnderPressure(assembler);
                    }

                    if (_exhausted || _faulted)
                    {
                        return;
                    }

                    while (!_slotSignal.Wait(s_pressurePoll, stop))
                    {
                        ReleaseHeldUnderPressure(assembler);
                    }

                    lock (_slotLock)
                    {
                        slot = _freeSlots.Dequeue();
                    }

                    long sequence = _nextSequence++;
                    if (!_plan.TryGet(sequence, out plan))
                    {
                        _exhausted = true;
                        ReleaseSlot(slot);
                        Publish(sequence, default);
                        return;
                    }
                }
                finally
                {
                    if (claiming)
                    {
                        Monitor.Exit(_claimLock);
                    }
                }

                Item item;
                try
                {
                    // Only Sequential order makes batches of consecutive samples; elsewhere trying would fill the order twice.
                    if (_options.ZeroCopy && _options.Order == SampleOrder.Sequential && TryMapBatch(plan, slot, out Batch? mapped, out long mappedBytes))
                    {
                        item = new Item(mapped, null, plan, mappedBytes);
                    }
                    else
                    {
                        long bytes = assembler.Assemble(GetOrder(plan.Epoch), plan.Start, plan.Count, slot, stop);
                        item = new Item(new Batch(this, slot, _dataset.Schema, plan.Count, plan.Epoch, plan.Start, plan.Sequence), null, plan, bytes);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    ReleaseSlot(slot);
                    return;
                }
                catch (Exception e)
                {
                    ReleaseSlot(slot);
                    _faulted = true;
                    item = new Item(null, ExceptionDispatchInfo.Capture(e), plan, 0);
                }

                Publish(plan.Sequence, item);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: stop quietly.
        }
        finally
        {
            assembler.ReleaseHeld();
        }
    }

    private void ReleaseHeldUnderPressure(BatchGatherer assembler)
    {
        if (_cache.UnderPressure)
        {
            assembler.ReleaseHeld();
        }
    }

    // ZeroCopy: a batch of consecutive samples inside one uncompressed chunk is handed out over the chunk's mapping.
    // The slot still carries the sample indices, the lengths and, for variable fields, the offsets rebased to 0.
    private unsafe bool TryMapBatch(BatchPlan plan, BatchSlot slot, out Batch? batch, out long bytes)
    {
        batch = null;
        bytes = 0;
        int count = plan.Count;
        Span<long> samples = slot.SampleIndices.AsSpan(0, count);
        GetOrder(plan.Epoch).Fill(plan.Start, samples);
        if (count == 0)
        {
            return false;
        }

        long first = samples[0];
        for (int i = 1; i < count; i++)
        {
            if (samples[i] != first + i)
            {
                return false;
            }
        }

        int chunk = _layout.ChunkOf(first);
        long chunkStart = _layout.ChunkStarts[chunk];
        long chunkEnd = _layout.ChunkStarts[chunk + 1];
        int shard = _layout.ChunkShard[chunk];
        int inShard = _layout.ChunkInShard[chunk];
        if (first + count > chunkEnd || _dataset.GetEntry(shard, inShard).Codec != Compression.CodecKind.None)
        {
            return false;
        }

        HintUpcoming(chunk);
        ChunkLease lease = _reader.ReadMapped(shard, inShard);
        try
        {
            FieldSection[] sections = lease.Sections;
            ReadOnlySpan<byte> raw = lease.RawBytes;
            int inChunk = (int)(first - chunkStart);
            Schema schema = _dataset.Schema;
            nint[] mapped = new nint[schema.Count];
            byte* basePointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(raw));
            for (int f = 0; f < schema.Count; f++)
            {
                FieldSpec spec = schema[f];
                FieldSection section = sections[f];
                if (!spec.IsVariable)
                {
                    mapped[f] = (nint)(basePointer + section.DataOffset + ((long)inChunk * spec.BytesPerSample));
                    slot.Lengths[f] = (long)count * spec.BytesPerSample;
                }
                else
                {
                    // The mapping can change under us: copy the batch's offsets once into the slot, check them
                    // there, and use only the copy.
                    long* rebased = slot.Offsets(f);
                    var copy = new Span<long>(rebased, count + 1);
                    MemoryMarshal.Cast<byte, long>(raw.Slice(section.OffsetsOffset, (_layout.SamplesIn(chunk) + 1) * sizeof(long))).Slice(inChunk, count + 1).CopyTo(copy);
                    long start = copy[0];
                    long valueCount = section.DataLength / spec.ItemSize;
                    for (int i = 0; i <= count; i++)
                    {
                        if (copy[i] < start || copy[i] > valueCount || (i > 0 && copy[i] < copy[i - 1] + start))
                        {
                            throw DataErrors.Create(
                                $"offsets of field '{spec.Name}' for sample {inChunk + i} of the chunk do not increase within its {valueCount} values",
                                Path.Combine(_dataset.Directory, _dataset.Shards[shard].FileName),
                                shard,
                                inShard);
                        }

                        copy[i] -= start;
                    }

                    mapped[f] = (nint)(basePointer + section.DataOffset + (start * spec.ItemSize));
                    slot.Lengths[f] = copy[count] * spec.ItemSize;
                }

                bytes += slot.Lengths[f];
            }

            batch = new Batch(this, slot, schema, count, plan.Epoch, plan.Start, plan.Sequence, lease, mapped, endsChunk: first + count == chunkEnd);
            Interlocked.Increment(ref _mappedBatches);
            return true;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private void ReleaseSlot(BatchSlot slot)
    {
        lock (_slotLock)
        {
            if (_disposed != 0)
            {
                slot.Dispose();
                return;
            }

            _freeSlots.Enqueue(slot);
        }

        _slotSignal.Release();
        if (_scatter is { } scatter)
        {
            lock (scatter.Sync)
            {
                Monitor.PulseAll(scatter.Sync);
            }
        }
    }

    // Scatter mode: plans batches while slots are free, and decodes and scatters each chunk once planning has
    // passed its last use. See ChunkScatter.
    private void RunScatterWorker()
    {
        CancellationToken stop = _stop.Token;
        ChunkScatter scatter = _scatter!;
        byte[] buffer = GC.AllocateUninitializedArray<byte>((int)_layout.MaxRawChunkBytes);
        byte[] stored = GC.AllocateUninitializedArray<byte>((int)BatchGatherer.ScratchBytes(_layout));
        using CancellationTokenRegistration wake = stop.Register(() =>
        {
            lock (scatter.Sync)
            {
                Monitor.PulseAll(scatter.Sync);
            }
        });
        try
        {
            while (true)
            {
                ChunkScatter.Job job;
                lock (scatter.Sync)
                {
                    while (!scatter.TryTake(out job))
                    {
                        stop.ThrowIfCancellationRequested();
                        if (!_exhausted && !_faulted && _slotSignal.Wait(0, CancellationToken.None))
                        {
                            PlanScatterBatch(scatter);
                        }
                        else if ((_exhausted || _faulted) && !scatter.HasJobs)
                        {
                            return;
                        }
                        else if (scatter.Executing == 0 && !scatter.HasReady && Volatile.Read(ref _unpublished) == _slots.Length)
                        {
                            // Every slot waits on a chunk that later batches also read: decode those chunks now
                            // (once more later for the rest) rather than wait forever.
                            scatter.CloseAll();
                        }
                        else
                        {
                            Monitor.Wait(scatter.Sync);
                        }
                    }
                }

                scatter.Execute(job, buffer, stored, CompleteScatterBatch);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: stop quietly; Dispose frees the slots of batches left incomplete.
        }
    }

    // Called under the scatter lock with a slot taken from the free count.
    private void PlanScatterBatch(ChunkScatter scatter)
    {
        BatchSlot slot;
        lock (_slotLock)
        {
            slot = _freeSlots.Dequeue();
        }

        long sequence = _nextSequence++;
        if (!_plan.TryGet(sequence, out BatchPlan plan))
        {
            _exhausted = true;
            ReleaseSlot(slot);
            scatter.CloseAll();
            Publish(sequence, default);
        }
        else
        {
            Interlocked.Increment(ref _unpublished);
            ScatterBatch batch = scatter.Register(slot, plan, GetOrder(plan.Epoch));
            if (batch.Remaining == 0)
            {
                CompleteScatterBatch(batch);
            }
        }

        Monitor.PulseAll(scatter.Sync);
    }

    private void CompleteScatterBatch(ScatterBatch b)
    {
        BatchPlan plan = b.Plan;
        if (b.Error is { } error)
        {
            Interlocked.Decrement(ref _unpublished);
            ReleaseSlot(b.Slot);
            _faulted = true;
            lock (_scatter!.Sync)
            {
                _scatter.CloseAll();
                Monitor.PulseAll(_scatter.Sync);
            }

            Publish(plan.Sequence, new Item(null, error, plan, 0));
            return;
        }

        long bytes = 0;
        for (int f = 0; f < _dataset.Schema.Count; f++)
        {
            bytes += b.Slot.Lengths[f];
        }

        Publish(plan.Sequence, new Item(new Batch(this, b.Slot, _dataset.Schema, plan.Count, plan.Epoch, plan.Start, plan.Sequence), null, plan, bytes));
    }

    // Hands finished batches to the channel strictly in sequence order; an end or error item closes it.
    private void Publish(long sequence, Item item)
    {
        var dropped = new List<Batch>();
        lock (_publishLock)
        {
            _pending[sequence] = item;
            while (_pending.Remove(_nextToPublish, out Item next))
            {
                _nextToPublish++;
                if (_scatter is not null && next.Batch is not null)
                {
                    Interlocked.Decrement(ref _unpublished);
                }

                if (_closed)
                {
                    if (next.Batch is { } b)
                    {
                        dropped.Add(b);
                    }

                    continue;
                }

                _channel.Writer.TryWrite(next);
                if (next.Batch is null)
                {
                    _closed = true;
                    _channel.Writer.TryComplete();
                }
            }
        }

        foreach (Batch b in dropped)
        {
            b.Dispose();
        }
    }

    private EpochOrder GetOrder(int epoch)
    {
        lock (_orders)
        {
            foreach (EpochOrder o in _orders)
            {
                if (o.Epoch == epoch)
                {
                    return o;
                }
            }

            var order = new EpochOrder(_layout, _options.Order, _options.Seed, epoch, _options.LogicalPartitions, _options.WindowChunks, _options.BatchSize);
            _orders.Add(order);
            if (_orders.Count > 3)
            {
                _orders.RemoveAt(0);
            }

            return order;
        }
    }

    // When a chunk is first read, ask the OS to start reading the chunks scheduled after it: the next two windows
    // in Window order (a window's chunks are all decoded at about the same time, and from a cold disk they are
    // scattered reads that need many requests in flight), eight chunks in Sequential order; each chunk once per
    // epoch, since a hint for cached pages still walks them.
    private void HintUpcoming(int chunk)
    {
        if (_options.Order == SampleOrder.Random)
        {
            return;
        }

        EpochOrder? order;
        lock (_orders)
        {
            order = _orders.Count > 0 ? _orders[^1] : null;
        }

        if (order is null)
        {
            return;
        }

        int depth = Math.Max(2 * _options.DecodeWorkers, _options.Order == SampleOrder.Window ? 2 * _options.WindowChunks : 8);
        int mark = order.Epoch + 1;
        foreach (int next in order.ChunksAfter(chunk, depth))
        {
            if (Volatile.Read(ref _hinted[next]) == mark)
            {
                continue;
            }

            Volatile.Write(ref _hinted[next], mark);
            _dataset.AdviseChunk(_layout.ChunkShard[next], _layout.ChunkInShard[next], MemoryAdvice.WillNeed);
        }
    }

    private readonly record struct Item(Batch? Batch, ExceptionDispatchInfo? Error, BatchPlan Plan, long Bytes);
}
