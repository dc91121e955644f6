using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using ShardStore.Internals.Loading;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Pipeline;
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
/// the consumer, who reads them with <see cref="ReadAllAsync"/> or <see cref="NextBatch"/>. With
/// <see cref="ShardLoaderOptions.Transforms"/>, the same workers transform each sample into the slot, and the batches
/// have the transformed <see cref="Schema"/>.
/// </para>
/// <para>
/// One consumer at a time. Dispose each <see cref="Batch"/> to hand its slot back. A corrupt chunk surfaces
/// on the consumer side, after every batch before it, as the <see cref="InvalidDataException"/> naming the
/// file, shard and chunk; the loader then stops. Disposing the loader stops every worker and frees every
/// slot and buffer (slots of batches the consumer still holds are freed when those are disposed).
/// </para>
/// <para>
/// Stages (docs/ARCHITECTURE.md draws them): a <see cref="LoaderMemoryPlan"/> made once; a <see cref="SlotPool"/>;
/// producers (<see cref="GatherProducer"/>, <see cref="ScatterProducer"/>) that claim batches from a
/// <see cref="BatchSequencer"/> and read chunks through a <see cref="LoaderChunkReader"/>; and an
/// <see cref="OrderedHandoff{T}"/> to the consumer. This class wires them together and keeps the consumer's side:
/// the resume point, the counters and the lifetime.
/// </para>
/// <para>
/// The lock order of the whole pipeline is written down once, in docs/ARCHITECTURE.md ("Threads and locks").
/// </para>
/// </remarks>
public sealed partial class ShardLoader : IDisposable, IAsyncDisposable
{
    private readonly ShardDataset _dataset;
    private readonly ILoaderSource _source;
    private readonly DatasetMixture? _mixture;
    private readonly MixtureLayout? _mixtureLayout;
    private readonly ShardLoaderOptions _options;
    private readonly RankSchedule _schedule;
    private readonly EpochLayouts? _layouts;

    // Guarded by _stateLock: what the consumer was handed, with ShardLoaderOptions.Ledger.
    private readonly ConsumptionLedger? _ledger;
    private readonly LoaderMemoryPlan _memory;
    private readonly MemoryBudget _budget;
    private readonly LoaderChunkReader _reader;
    private readonly LoaderChunkCache _cache;
    private readonly SlotPool _slots;
    private readonly OrderedHandoff<Batch> _handoff;
    private readonly ZeroCopyBatchBuilder? _zeroCopy;
    private readonly TransformStage? _transforms;
    private readonly Schema _schema;
    private readonly IBatchProducer _producer;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _startLock = new();
    private readonly object _stateLock = new();

    // Written once under _startLock: the worker threads.
    private Task[]? _workers;

    // Interlocked: a device ring reading this loader, and whether the loader was disposed.
    private IDisposable? _consumer;
    private int _disposed;

    // Set once in the constructor: the eviction order a remote dataset's node-local cache takes from this loader's plan.
    private readonly PlanNextUse? _nextUse;

    // Thread-safe: the distinct source chunks of the batches handed out.

    // Guarded by _stateLock: where the consumer stands (the state after the last batch handed out).
    private int _stateEpoch;
    private long _statePosition;

    // Interlocked: counters for Statistics.
    private long _batches;
    private long _samples;
    private long _bytes;
    private long _skipped;
    private long _batchesWithSamples;
    private long _sourceChunks;

    private ShardLoader(ShardDataset dataset, ShardLoaderOptions options, ChunkIndex index, EpochLayouts layouts, RankSchedule schedule, LoaderMemoryPlan memory, TransformPlan? transforms, BatchTransformStep? batchStep)
        : this(dataset, dataset, null, null, new EpochOrderCache(index, options, layouts), layouts, options, index, schedule, memory, transforms, batchStep)
    {
    }

    private ShardLoader(ShardDataset dataset, ILoaderSource source, DatasetMixture? mixture, MixtureLayout? mixtureLayout, EpochOrderCache orders, EpochLayouts? layouts, ShardLoaderOptions options, ChunkIndex index, RankSchedule schedule, LoaderMemoryPlan memory, TransformPlan? transforms, BatchTransformStep? batchStep)
    {
        _dataset = dataset;
        _source = source;
        _mixture = mixture;
        _mixtureLayout = mixtureLayout;
        _layouts = layouts;
        _ledger = ConsumptionLedger.Create(options, schedule, layouts, mixtureLayout);
        _options = options;
        _schedule = schedule;
        _memory = memory;
        _budget = new MemoryBudget(options.MemoryBudgetBytes) { Changed = delta => LoaderMetrics.BudgetInUse.Add(delta) };
        _stateEpoch = options.ResumeFrom?.Epoch ?? 0;
        _statePosition = options.ResumeFrom?.Position ?? 0;
        _schema = transforms?.Output ?? source.Schema;
        _slots = SlotPool.Create(_schema, options.BatchSize, _budget, memory.SlotCount);
        if (transforms is not null)
        {
            try
            {
                _transforms = new TransformStage(transforms, source, index, options, _budget, staging: !memory.Scatter);
            }
            catch
            {
                _slots.Close();
                _slots.Dispose();
                throw;
            }
        }

        if (source.CacheEvictsByPlan)
        {
            _nextUse = new PlanNextUse(index, orders, options.Order, options.Epochs);
            _nextUse.AtPosition(_stateEpoch, _statePosition);
            source.SetNextUse(_nextUse, replacing: null);
        }

        _reader = new LoaderChunkReader(source, index, memory.ReleasePages, PrefetchHints.For(source, index, orders, options));
        _cache = new LoaderChunkCache(source, index, _budget, memory.CacheEntries, _reader, byPriority: options.Order != SampleOrder.Random);
        if (!_budget.TryReserve(memory.WorkerBufferBytes))
        {
            throw new InvalidOperationException("The memory budget changed while the loader was being created.");
        }

        _handoff = new OrderedHandoff<Batch>(
            capacity: memory.SlotCount + 1,
            singleProducer: false,
            discard: batch => batch.Dispose(),
            waited: ticks => LoaderMetrics.ConsumerWait.Add(Stopwatch.GetElapsedTime(0, ticks).TotalSeconds));
        if (memory.Scatter)
        {
            _producer = new ScatterProducer(this, source, index, _reader, _slots, schedule, orders, _handoff, _transforms, batchStep);
        }
        else
        {
            _zeroCopy = options.ZeroCopy ? new ZeroCopyBatchBuilder(this, source, index, _reader, orders) : null;
            _producer = new GatherProducer(this, source, options, index, _cache, _reader, _slots, schedule, orders, _handoff, _zeroCopy, _transforms, batchStep);
        }

        _handoff.Published = _producer.OnPublished;
    }

    /// <summary>Gets the dataset being read (for a mixture, the first stream's; see <see cref="Mixture"/>).</summary>
    public ShardDataset Dataset => _dataset;

    /// <summary>
    /// Gets the fields of every batch: the dataset's schema, or, with <see cref="ShardLoaderOptions.Transforms"/>, the
    /// transformed one (fields no transform consumed, in their order, with each transform's outputs in place of its inputs).
    /// </summary>
    public Schema Schema => _schema;

    /// <summary>Gets the options the loader was created with.</summary>
    public ShardLoaderOptions Options => _options;

    /// <summary>Gets the number of batches this rank receives in a whole epoch.</summary>
    public long BatchesPerEpoch => _schedule.BatchesPerEpoch;

    /// <summary>Gets the number of batches this loader will deliver in all, or null when it runs until disposed.</summary>
    public long? TotalBatches => _schedule.TotalBatches;

    /// <summary>
    /// Gets the number of pinned batch slots: <see cref="ShardLoaderOptions.PrefetchDepth"/> + 1, or, when batches of
    /// compressed chunks in Sequential or Window order are assembled by scatter, enough for the batches of two Window
    /// order groups (the windows that read the same chunks) plus the prefetch depth (as the memory budget allows).
    /// </summary>
    public int SlotCount => _slots.Count;

    /// <summary>Gets a snapshot of the loader's counters.</summary>
    public ShardLoaderStatistics Statistics => new(
        Interlocked.Read(ref _batches),
        Interlocked.Read(ref _samples),
        Interlocked.Read(ref _bytes),
        _handoff.WaitTime,
        _reader.DecodeTime,
        _reader.ChunksLoaded,
        _budget.InUseBytes,
        _budget.PeakBytes,
        _zeroCopy?.Built ?? 0)
    {
        SkippedSamples = Interlocked.Read(ref _skipped),
        SourceChunksPerBatch = Interlocked.Read(ref _batchesWithSamples) is > 0 and var counted ? Interlocked.Read(ref _sourceChunks) / (double)counted : 0,
    };

    /// <summary>Gets whether a consumer that takes batches on its own (a device ring, see <see cref="AttachConsumer(IDisposable)"/>) is attached.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public bool HasAttachedConsumer => Volatile.Read(ref _consumer) is not null;

    /// <summary>Gets the loader's batch slots.</summary>
    internal IReadOnlyList<BatchSlot> Slots => _slots.Slots;

    /// <summary>Gets whether batches are assembled by decoding each chunk once and scattering its samples (see <see cref="ChunkScatter"/>).</summary>
    internal bool Scatters => _memory.Scatter;


    /// <summary>Gets the number of worker threads still running (for leak checks).</summary>
    internal int RunningWorkers => _workers?.Count(t => !t.IsCompleted) ?? 0;

    /// <summary>Creates a loader; nothing is read until the first batch is asked for.</summary>
    /// <param name="dataset">An open dataset; it must outlive the loader.</param>
    /// <param name="options">Order, partitioning, threads and memory; null for the defaults.</param>
    /// <returns>The loader.</returns>
    /// <exception cref="ArgumentException">
    /// An option is out of range; the memory budget cannot hold the batch slots plus one decoded chunk per worker;
    /// <see cref="ShardLoaderOptions.ResumeFrom"/> belongs to another dataset or another order; or a transform reads a
    /// field it does not receive, or declares a variable-length output or one whose name is taken (the message names
    /// the transform and the field).
    /// </exception>
    public static ShardLoader Create(ShardDataset dataset, ShardLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new ShardLoaderOptions();
        LoaderOptionChecks.CheckAll(dataset, options);
        int firstEpoch = 0;
        long firstPosition = 0;
        if (options.ResumeFrom is { } state)
        {
            LoaderOptionChecks.CheckResume(dataset, options, state);
            (firstEpoch, firstPosition) = (state.Epoch, state.Position);
        }

        var index = new ChunkIndex(dataset);
        var layouts = EpochLayouts.Create(dataset, index, options.ResumeFrom);
        var schedule = new RankSchedule(dataset.SampleCount, options.BatchSize, options.Rank, options.WorldSize, options.DropLast, firstEpoch, firstPosition, options.Epochs, layouts.FirstEpochSamples);
        if (options.Epochs is null && schedule.BatchesPerEpoch == 0)
        {
            throw new ArgumentException(
                $"The dataset's {dataset.SampleCount} samples make no batch of {options.BatchSize} on each of {options.WorldSize} ranks with DropLast set, so an endless run would never yield one.",
                nameof(options));
        }

        TransformPlan? transforms = TransformPlan.Create(dataset.Schema, options);
        BatchTransformStep? batchStep = BatchTransformStep.Create(transforms?.Output ?? dataset.Schema, options);
        return new ShardLoader(dataset, options, index, layouts, schedule, LoaderMemoryPlan.Create(dataset, options, index, schedule, transforms), transforms, batchStep);
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
        LoaderOptionChecks.CheckOrder(dataset, options);
        var index = new ChunkIndex(dataset);
        var order = new EpochOrder(index, options.Order, options.Seed, epoch, options.LogicalPartitions, WindowShape.For(index, options), options.BatchSize);
        var schedule = new RankSchedule(dataset.SampleCount, options.BatchSize, options.Rank, options.WorldSize, options.DropLast, epoch, 0, epoch + 1);
        return Enumerate(order, schedule);

        static IEnumerable<long[]> Enumerate(EpochOrder order, RankSchedule schedule)
        {
            for (long k = 0; schedule.TryGet(k, out BatchPlan batch); k++)
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
    /// <exception cref="InvalidDataException">
    /// A chunk the batch needs is corrupt, or a transform rejected one of its samples (unless
    /// <see cref="ShardLoaderOptions.TransformErrors"/> skips them); the message names file, shard and chunk (and the sample).
    /// </exception>
    /// <exception cref="InvalidOperationException">The consumer holds every batch slot without disposing them, or the budget cannot hold a batch.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    public Batch? NextBatch(CancellationToken cancellationToken = default)
    {
        if (!TryTakeReady(out Batch? batch))
        {
            batch = _handoff.Take(cancellationToken);
        }

        return Deliver(batch);
    }

    /// <summary>Streams the remaining batches.</summary>
    /// <param name="cancellationToken">Stops the stream (the loader keeps going).</param>
    /// <returns>The batches in order; dispose each when done.</returns>
    /// <exception cref="InvalidDataException">A chunk is corrupt; thrown when the stream reaches the batch that needs it.</exception>
    /// <exception cref="InvalidOperationException">The consumer holds every batch slot without disposing them, or the budget cannot hold a batch.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    public async IAsyncEnumerable<Batch> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!TryTakeReady(out Batch? next))
            {
                next = await _handoff.TakeAsync(cancellationToken).ConfigureAwait(false);
            }

            if (Deliver(next) is not { } batch)
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
        lock (_stateLock)
        {
            return new LoaderState
            {
                DatasetFingerprint = _mixture?.Fingerprint ?? _layouts!.GenerationOf(_stateEpoch).Fingerprint,
                DatasetIdentity = _mixture is null ? _dataset.Identity : null,
                DatasetGeneration = _layouts?.GenerationOf(_stateEpoch).Number,
                Mixture = _mixture?.Descriptor,
                Seed = _options.Seed,
                Order = _options.Order,
                BatchSize = _options.BatchSize,
                WindowChunks = _options.WindowChunks,
                LogicalPartitions = _options.LogicalPartitions,
                DropLast = _options.DropLast,
                Epoch = _stateEpoch,
                Position = _statePosition,
                WorldSize = _options.WorldSize,
                Ledger = _ledger?.Current,
                PreviousLedger = _ledger?.Previous,
                OrderVersion = WindowShape.OrderVersionOf(_options.Order, _options.WindowPieceSamples),
                WindowPieceSamples = _options.WindowPieceSamples,
            };
        }
    }

    /// <summary>
    /// Describes one of the pinned buffers of batch slot <paramref name="slot"/>, for a stage that page-locks the
    /// slots and copies from them (a GPU copy stage): field <paramref name="field"/>'s values, or with
    /// <paramref name="offsets"/> a variable-length field's offsets.
    /// </summary>
    /// <remarks>
    /// The memory belongs to the loader; it stays valid until the loader is disposed or, for a variable field's
    /// values, until the loader replaces the buffer by a larger one, which bumps <see cref="PinnedSlotBuffer.Version"/>.
    /// A slot a worker is filling may change at any time; read the buffers of a batch's slot (<see cref="Batch.SlotIndex"/>)
    /// only while holding the batch.
    /// </remarks>
    /// <param name="slot">The slot, from 0 to <see cref="SlotCount"/> - 1.</param>
    /// <param name="field">The field index.</param>
    /// <param name="offsets">The offsets buffer of a variable-length field instead of its values.</param>
    /// <returns>The buffer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slot"/> or <paramref name="field"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="offsets"/> is set for a fixed field.</exception>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public unsafe PinnedSlotBuffer DangerousGetSlotBuffer(int slot, int field, bool offsets = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, _slots.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(field, _schema.Count);
        BatchSlot s = _slots.Slots[slot];
        if (!offsets)
        {
            return new PinnedSlotBuffer((nint)s.Data(field), s.Capacity(field), s.AllocatedBytes(field, offsets: false), s.Version(field));
        }

        if (!_schema[field].IsVariable)
        {
            throw new ArgumentException($"Field '{_schema[field].Name}' has a fixed size and no offsets buffer.", nameof(offsets));
        }

        return new PinnedSlotBuffer((nint)s.Offsets(field), ((long)s.BatchSize + 1) * sizeof(long), s.AllocatedBytes(field, offsets: true), 0);
    }

    /// <summary>
    /// Attaches a consumer that reads this loader from its own thread and uses its slots (a device ring), so that
    /// disposing the loader disposes it first, before the slots are freed.
    /// </summary>
    /// <param name="consumer">The consumer; disposed by the loader's <see cref="Dispose"/> if still attached.</param>
    /// <exception cref="InvalidOperationException">Another consumer is attached.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public void AttachConsumer(IDisposable consumer)
    {
        ArgumentNullException.ThrowIfNull(consumer);
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

    /// <summary>
    /// Attaches a consumer like <see cref="AttachConsumer(IDisposable)"/> that also page-locks the slot buffers: the loader
    /// calls <paramref name="slotBufferFreeing"/> with a buffer's address just before it frees that buffer to grow it
    /// (a variable-length field), so the consumer can unregister the range while it is still allocated.
    /// </summary>
    /// <remarks>Attach before the first batch is asked for. The callback runs on a loader worker thread and must not throw.</remarks>
    /// <param name="consumer">The consumer; disposed by the loader's <see cref="Dispose"/> if still attached.</param>
    /// <param name="slotBufferFreeing">Called with the address of a slot buffer about to be freed, until the consumer is detached.</param>
    /// <exception cref="InvalidOperationException">Another consumer is attached.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public void AttachConsumer(IDisposable consumer, Action<nint> slotBufferFreeing)
    {
        ArgumentNullException.ThrowIfNull(slotBufferFreeing);
        AttachConsumer(consumer);
        foreach (BatchSlot slot in _slots.Slots)
        {
            slot.Freeing = slotBufferFreeing;
        }
    }

    /// <summary>Detaches a consumer from <see cref="AttachConsumer(IDisposable)"/> (it was disposed); nothing if it is not the one attached.</summary>
    /// <param name="consumer">The consumer.</param>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public void DetachConsumer(IDisposable consumer)
    {
        if (Interlocked.CompareExchange(ref _consumer, null, consumer) == consumer)
        {
            foreach (BatchSlot slot in _slots.Slots)
            {
                slot.Freeing = null;
            }
        }
    }

    /// <summary>
    /// Stops every worker and frees every slot and buffer; batches the consumer holds are freed when disposed. A
    /// device ring still running over the loader is disposed first. Safe to call twice.
    /// </summary>
    public void Dispose()
    {
        if (!BeginDispose())
        {
            return;
        }

        // A ring reads this loader from its own thread and holds its slots page-locked: stop it before the slots go.
        Interlocked.Exchange(ref _consumer, null)?.Dispose();
        Task.WaitAll(StopWorkers());
        EndDispose();
    }

    /// <summary>Like <see cref="Dispose"/>, but waits for the device ring (if any) and the workers to stop without blocking a thread.</summary>
    /// <returns>A task that completes when everything is freed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!BeginDispose())
        {
            return;
        }

        switch (Interlocked.Exchange(ref _consumer, null))
        {
            case IAsyncDisposable consumer:
                await consumer.DisposeAsync().ConfigureAwait(false);
                break;
            case { } consumer:
                consumer.Dispose();
                break;
        }

        await Task.WhenAll(StopWorkers()).ConfigureAwait(false);
        EndDispose();
    }

    // Ends the lease of a batch handed out over the mapping; the chunk's pages are dropped (when the loader drops
    // consumed pages) only by the batch that ends the chunk, since earlier ones leave the rest of it to read.
    internal void ReleaseZeroCopy(ChunkLease lease, bool endsChunk)
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

    internal void ReturnSlot(BatchSlot slot) => _slots.ReturnHandedOut(slot);

    // The first step of disposing: false when already disposed; else slots returned from now on are freed.
    private bool BeginDispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return false;
        }

        _slots.Close();
        return true;
    }

    // Once the device ring is stopped: stops the workers; returns them, to wait for.
    private Task[] StopWorkers()
    {
        _stop.Cancel();
        lock (_startLock)
        {
            return _workers ?? [];
        }
    }

    // The second half, once no worker runs: frees every batch not handed out, the slots, the buffers and the cache.
    private void EndDispose()
    {
        _handoff.Close();
        _producer.ReturnUnfinished();
        _budget.Release(_memory.WorkerBufferBytes);
        _slots.Dispose();
        _transforms?.Dispose();
        _cache.Dispose();
        _stop.Dispose();
        if (_nextUse is not null)
        {
            _source.SetNextUse(null, replacing: _nextUse);
        }

        _source.DropPrefetches();
    }

    private bool TryTakeReady(out Batch? batch)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        EnsureStarted();
        if (_handoff.TryTake(out batch))
        {
            return true;
        }

        if (_slots.AllHandedOut)
        {
            throw new InvalidOperationException(
                $"All {_slots.Count} batch slots are held by batches that were not disposed; dispose each batch when done with it (or raise ShardLoaderOptions.PrefetchDepth).");
        }

        return false;
    }

    private Batch? Deliver(Batch? batch)
    {
        if (batch is null)
        {
            return null;
        }

        _slots.HandOut();
        lock (_stateLock)
        {
            _stateEpoch = batch.Plan.NextEpoch;
            _statePosition = batch.Plan.NextPosition;
            _ledger?.Delivered(batch.Plan, batch.SampleIndices);
        }

        _nextUse?.AtPosition(batch.Plan.NextEpoch, batch.Plan.NextPosition);

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _samples, batch.Count);
        Interlocked.Add(ref _bytes, batch.Bytes);
        Interlocked.Add(ref _skipped, batch.Slot.SkippedCount);
        if (batch.Count > 0)
        {
            Interlocked.Increment(ref _batchesWithSamples);
            Interlocked.Add(ref _sourceChunks, batch.Slot.SourceChunks);
        }

        LoaderMetrics.Batches.Add(1);
        LoaderMetrics.Samples.Add(batch.Count);
        LoaderMetrics.Bytes.Add(batch.Bytes);
        return batch;
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _workers) is not null)
        {
            return;
        }

        lock (_startLock)
        {
            if (_workers is null && _disposed == 0)
            {
                CancellationToken stop = _stop.Token;
                _workers = [.. Enumerable.Range(0, _options.DecodeWorkers).Select(_ => Task.Factory.StartNew(() => _producer.RunWorker(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
            }
        }
    }
}
