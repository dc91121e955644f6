using System.Runtime.ExceptionServices;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Pipeline;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Loading;

/// <summary>
/// Fills batch slots by scatter (see <see cref="ChunkScatter"/>): workers plan batches into free slots while there
/// are any, registering each planned sample with its chunk, and decode and scatter each chunk once planning has
/// passed its last use. Batches complete out of order; the hand-off passes them on in order.
/// </summary>
/// <remarks>
/// The scatter lock (<see cref="ChunkScatter.Sync"/>) is this producer's claim lock, the first in the pipeline's
/// lock order (docs/ARCHITECTURE.md). A slot returned to the pool wakes the workers waiting on it.
/// </remarks>
internal sealed class ScatterProducer : IBatchProducer
{
    private readonly ShardLoader _owner;
    private readonly ChunkIndex _index;
    private readonly SlotPool _slots;
    private readonly BatchSequencer _sequencer;
    private readonly EpochOrderCache _orders;
    private readonly OrderedHandoff<Batch> _handoff;
    private readonly ChunkScatter _scatter;
    private readonly TransformStage? _transforms;
    private readonly BatchTransformStep? _batchStep;
    private readonly Schema _schema;

    // Interlocked: batches planned into a slot and not yet passed on by the hand-off.
    private int _unpublished;

    public ScatterProducer(ShardLoader owner, ILoaderSource dataset, ChunkIndex index, LoaderChunkReader reader, SlotPool slots, RankSchedule schedule, EpochOrderCache orders, OrderedHandoff<Batch> handoff, TransformStage? transforms, BatchTransformStep? batchStep)
    {
        _owner = owner;
        _index = index;
        _slots = slots;
        _orders = orders;
        _handoff = handoff;
        _transforms = transforms;
        _batchStep = batchStep;
        _schema = transforms?.Plan.Output ?? dataset.Schema;
        _scatter = new ChunkScatter(dataset, index, reader, transforms?.Plan);
        _sequencer = new BatchSequencer(schedule, _scatter.Sync);
        slots.Returned = WakeWorkers;
    }

    // Plans batches while slots are free, and decodes and scatters each chunk once planning has passed its last use.
    public void RunWorker(CancellationToken stop)
    {
        ChunkScatter scatter = _scatter;
        byte[] buffer = GC.AllocateUninitializedArray<byte>((int)_index.MaxRawChunkBytes);
        byte[] stored = GC.AllocateUninitializedArray<byte>((int)BatchGatherer.ScratchBytes(_index));
        using CancellationTokenRegistration wake = stop.Register(WakeWorkers);
        SampleTransformer? transformer = _transforms?.Rent();
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
                        if (!_sequencer.Stopped && _slots.TryReserveFree())
                        {
                            PlanBatch();
                        }
                        else if (_sequencer.Stopped && !scatter.HasJobs)
                        {
                            return;
                        }
                        else if (!scatter.ForceProgress(Volatile.Read(ref _unpublished), _slots.Count))
                        {
                            Monitor.Wait(scatter.Sync);
                        }
                    }
                }

                scatter.Execute(job, buffer, stored, transformer, Complete);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: stop quietly; the loader returns the slots of batches left unfinished.
        }
        finally
        {
            if (transformer is not null)
            {
                _transforms!.Return(transformer);
            }
        }
    }

    public void OnPublished(Batch batch) => Interlocked.Decrement(ref _unpublished);

    public void ReturnUnfinished()
    {
        List<ScatterBatch> unfinished;
        lock (_scatter.Sync)
        {
            unfinished = _scatter.TakeIncomplete();
        }

        foreach (ScatterBatch b in unfinished)
        {
            _slots.Return(b.Slot);
        }
    }

    private void WakeWorkers()
    {
        lock (_scatter.Sync)
        {
            Monitor.PulseAll(_scatter.Sync);
        }
    }

    // Called under the scatter lock with a slot reserved from the pool.
    private void PlanBatch()
    {
        BatchSlot slot = _slots.Take();
        if (!_sequencer.TryClaim(out BatchPlan plan, out long end))
        {
            _slots.Return(slot);
            _scatter.CloseAll();
            _handoff.Complete(end);
        }
        else
        {
            Interlocked.Increment(ref _unpublished);
            ScatterBatch batch = _scatter.Register(slot, plan, _orders.Get(plan.Epoch));
            if (batch.Remaining == 0)
            {
                Complete(batch);
            }
        }

        Monitor.PulseAll(_scatter.Sync);
    }

    private void Complete(ScatterBatch b)
    {
        BatchPlan plan = b.Plan;
        b.Slot.SortSkipped();
        if (b.Error is null && _batchStep is not null)
        {
            try
            {
                _batchStep.Apply(b.Slot, plan);
            }
            catch (Exception e)
            {
                b.Error = ExceptionDispatchInfo.Capture(e);
            }
        }

        if (b.Error is { } error)
        {
            Interlocked.Decrement(ref _unpublished);
            _slots.Return(b.Slot);
            _sequencer.Fault();
            lock (_scatter.Sync)
            {
                _scatter.CloseAll();
                Monitor.PulseAll(_scatter.Sync);
            }

            _handoff.Fail(plan.Sequence, error);
            return;
        }

        long bytes = 0;
        for (int f = 0; f < _schema.Count; f++)
        {
            bytes += b.Slot.Lengths[f];
        }

        _handoff.Publish(plan.Sequence, new Batch(_owner, b.Slot, _schema, plan, bytes));
    }
}
