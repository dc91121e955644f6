using System.Runtime.ExceptionServices;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Pipeline;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// Fills batch slots by gather: each worker claims the next batch and a free slot, and copies the batch's samples
/// into the slot chunk by chunk through the loader's chunk cache (see <see cref="BatchGatherer"/>), or hands it out
/// zero-copy when a <see cref="ZeroCopyBatchBuilder"/> is given and the batch allows it. Used for Random order, for
/// Sequential order over uncompressed chunks, and wherever scatter is not possible. With transforms, a worker gathers
/// the dataset's fields into its staging slot and its <see cref="SampleTransformer"/> fills the batch slot from there,
/// outside every lock.
/// </summary>
/// <remarks>Its claim lock is the first in the pipeline's lock order (docs/ARCHITECTURE.md).</remarks>
internal sealed class GatherProducer : IBatchProducer
{
    // How often a worker blocked on a claim or a slot looks whether the chunks it keeps pinned are needed elsewhere.
    private static readonly TimeSpan s_pressurePoll = TimeSpan.FromMilliseconds(10);

    // Held by the worker that claims a batch and its slot.
    private readonly object _claimLock = new();
    private readonly ShardLoader _owner;
    private readonly ILoaderSource _dataset;
    private readonly ShardLoaderOptions _options;
    private readonly ChunkIndex _index;
    private readonly LoaderChunkCache _cache;
    private readonly LoaderChunkReader _reader;
    private readonly SlotPool _slots;
    private readonly BatchSequencer _sequencer;
    private readonly EpochOrderCache _orders;
    private readonly OrderedHandoff<Batch> _handoff;
    private readonly ZeroCopyBatchBuilder? _zeroCopy;
    private readonly TransformStage? _transforms;
    private readonly BatchTransformStep? _batchStep;
    private readonly Schema _schema;

    public GatherProducer(
        ShardLoader owner,
        ILoaderSource dataset,
        ShardLoaderOptions options,
        ChunkIndex index,
        LoaderChunkCache cache,
        LoaderChunkReader reader,
        SlotPool slots,
        RankSchedule schedule,
        EpochOrderCache orders,
        OrderedHandoff<Batch> handoff,
        ZeroCopyBatchBuilder? zeroCopy,
        TransformStage? transforms,
        BatchTransformStep? batchStep)
    {
        _owner = owner;
        _dataset = dataset;
        _options = options;
        _index = index;
        _cache = cache;
        _reader = reader;
        _slots = slots;
        _sequencer = new BatchSequencer(schedule, _claimLock);
        _orders = orders;
        _handoff = handoff;
        _zeroCopy = zeroCopy;
        _transforms = transforms;
        _batchStep = batchStep;
        _schema = transforms?.Plan.Output ?? dataset.Schema;
    }

    public void RunWorker(CancellationToken stop)
    {
        var gatherer = new BatchGatherer(_dataset, _index, _cache, _reader, _options.BatchSize, holdReady: _options.Order == SampleOrder.Random);
        SampleTransformer? transformer = _transforms?.Rent();
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
                        ReleaseHeldUnderPressure(gatherer);
                    }

                    if (_sequencer.Stopped)
                    {
                        return;
                    }

                    while (!_slots.WaitFree(s_pressurePoll, stop))
                    {
                        ReleaseHeldUnderPressure(gatherer);
                    }

                    slot = _slots.Take();
                    if (!_sequencer.TryClaim(out plan, out long end))
                    {
                        _slots.Return(slot);
                        _handoff.Complete(end);
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

                Batch? batch;
                try
                {
                    // Only Sequential order makes batches of consecutive samples; elsewhere trying would fill the order twice.
                    if (_zeroCopy is null || _options.Order != SampleOrder.Sequential || !_zeroCopy.TryBuild(plan, slot, out batch))
                    {
                        long bytes = transformer is null
                            ? gatherer.Assemble(_orders.Get(plan.Epoch), plan.Start, plan.Count, slot, stop)
                            : Transform(gatherer, transformer, plan, slot, stop);
                        _batchStep?.Apply(slot, plan);
                        batch = new Batch(_owner, slot, _schema, plan, bytes);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    _slots.Return(slot);
                    return;
                }
                catch (Exception e)
                {
                    _slots.Return(slot);
                    _sequencer.Fault();
                    _handoff.Fail(plan.Sequence, ExceptionDispatchInfo.Capture(e));
                    continue;
                }

                _handoff.Publish(plan.Sequence, batch!);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: stop quietly.
        }
        finally
        {
            gatherer.ReleaseHeld();
            if (transformer is not null)
            {
                _transforms!.Return(transformer);
            }
        }
    }

    public void OnPublished(Batch batch)
    {
    }

    public void ReturnUnfinished()
    {
        // A gathering worker returns its slot itself whenever it stops.
    }

    // Gathers the dataset's fields into the worker's staging slot, then transforms them into the batch's slot.
    private long Transform(BatchGatherer gatherer, SampleTransformer transformer, BatchPlan plan, BatchSlot slot, CancellationToken stop)
    {
        gatherer.Assemble(_orders.Get(plan.Epoch), plan.Start, plan.Count, transformer.Staging!, stop);

        // The chunks a Random-order worker keeps pinned stay pinned for the transform's time only if no one needs their room.
        ReleaseHeldUnderPressure(gatherer);
        return transformer.FillFromStaging(slot, plan.Epoch, plan.Count);
    }

    private void ReleaseHeldUnderPressure(BatchGatherer gatherer)
    {
        if (_cache.UnderPressure)
        {
            gatherer.ReleaseHeld();
        }
    }
}
