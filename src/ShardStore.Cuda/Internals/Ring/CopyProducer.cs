using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ShardStore.Cuda.Internals.Backends;
using ShardStore.Internals.Pipeline;

namespace ShardStore.Cuda.Internals.Ring;

/// <summary>
/// The device ring's producer thread: it takes a free device slot, takes the loader's next host batch, page-locks
/// that batch's slot buffers, waits on the device for the consumer's release of the device slot, issues the copies
/// on the copy stream and hands the <see cref="DeviceBatch"/> on at once. It hands each host batch back to the loader
/// once its copy has completed, keeping at most all but one of the loader's slots.
/// </summary>
internal sealed class CopyProducer : IDisposable
{
    // Set once in the constructor.
    private readonly DeviceRing _ring;
    private readonly ShardLoader _loader;
    private readonly Schema _schema;
    private readonly IDeviceBackend _backend;
    private readonly IDeviceStream _copyStream;
    private readonly HostRegistry _registry;
    private readonly DeviceSlotAllocator _allocator;
    private readonly OrderedHandoff<DeviceBatch> _handoff;
    private readonly int _maxHostInFlight;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _startLock = new();

    // Thread-safe (a concurrent queue counted by a semaphore): the device slots free to fill, returned by any thread,
    // taken by the producer thread.
    private readonly ConcurrentQueue<DeviceSlot> _free = new();
    private readonly SemaphoreSlim _freeSignal;

    // Producer thread only: host batches whose copies were issued, oldest first, and the hand-off sequence of the next batch.
    private readonly Queue<(Batch Batch, IDeviceEvent Copied)> _inFlight = new();
    private long _sequence;

    // Guarded by _startLock: the thread once started, and whether it may no longer start.
    private Thread? _thread;
    private bool _stopped;

    // Interlocked: counters for the ring's statistics.
    private long _batches;
    private long _bytes;

    /// <summary>Creates the producer; the thread starts on <see cref="Start"/>.</summary>
    /// <param name="ring">The ring the device batches belong to; it gains a reference for each batch handed on.</param>
    /// <param name="loader">The loader the host batches come from.</param>
    /// <param name="backend">The device.</param>
    /// <param name="copyStream">The stream the copies run on.</param>
    /// <param name="registry">Keeps the loader's slot buffers page-locked.</param>
    /// <param name="allocator">Grows a slot's variable-length field when a batch needs more.</param>
    /// <param name="handoff">Where device batches go, in order, and where the end or a failure is reported.</param>
    /// <param name="slotCount">The number of device slots (each is handed in once with <see cref="ReturnSlot"/>).</param>
    public CopyProducer(DeviceRing ring, ShardLoader loader, IDeviceBackend backend, IDeviceStream copyStream, HostRegistry registry, DeviceSlotAllocator allocator, OrderedHandoff<DeviceBatch> handoff, int slotCount)
    {
        _ring = ring;
        _loader = loader;
        _schema = loader.Schema;
        _backend = backend;
        _copyStream = copyStream;
        _registry = registry;
        _allocator = allocator;
        _handoff = handoff;
        _maxHostInFlight = Math.Max(1, loader.SlotCount - 1);
        _freeSignal = new SemaphoreSlim(0, slotCount);
    }

    /// <summary>Gets the number of batches whose copies were issued.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Gets the bytes copied to the device (values and offsets).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Starts the thread unless it runs already or the producer was stopped.</summary>
    public void Start()
    {
        if (Volatile.Read(ref _thread) is not null)
        {
            return;
        }

        lock (_startLock)
        {
            if (_thread is null && !_stopped)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "ShardStore device ring producer" };
                _thread.Start();
            }
        }
    }

    /// <summary>Stops the thread and blocks until it has exited; it never starts after this.</summary>
    public void Stop()
    {
        _stop.Cancel();
        lock (_startLock)
        {
            _stopped = true;
            _thread?.Join();
        }
    }

    /// <summary>Stops the thread; it never starts after this.</summary>
    /// <returns>A task that completes when the thread has done its last work (it has handed every host batch back and reported the end).</returns>
    public Task StopAsync()
    {
        _stop.Cancel();
        lock (_startLock)
        {
            _stopped = true;
            return _thread is null ? Task.CompletedTask : _exited.Task;
        }
    }

    /// <summary>Puts a device slot in the free list, for the thread to fill.</summary>
    public void ReturnSlot(DeviceSlot slot)
    {
        _free.Enqueue(slot);
        _freeSignal.Release();
    }

    /// <summary>Frees the producer's own objects; the thread must have stopped, or never started.</summary>
    public void Dispose()
    {
        _freeSignal.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        try
        {
            Produce();
        }
        finally
        {
            _exited.TrySetResult();
        }
    }

    private void Produce()
    {
        CancellationToken cancellation = _stop.Token;
        ExceptionDispatchInfo? error = null;
        try
        {
            while (true)
            {
                DeviceSlot slot = AcquireSlot(cancellation);
                Batch? batch;
                try
                {
                    RetireCopied(_maxHostInFlight);
                    batch = _loader.NextBatch(cancellation);
                }
                catch
                {
                    ReturnSlot(slot);
                    throw;
                }

                if (batch is null)
                {
                    ReturnSlot(slot);
                    break;
                }

                DeviceBatch device;
                try
                {
                    device = Issue(slot, batch);
                }
                catch
                {
                    batch.Dispose();
                    ReturnSlot(slot);
                    throw;
                }

                _inFlight.Enqueue((batch, slot.Ready));
                _ring.AddReference();
                _handoff.Publish(_sequence++, device);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            error = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            try
            {
                _backend.Synchronize(_copyStream);
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested)
            {
                error ??= ExceptionDispatchInfo.Capture(e);
            }
            catch (Exception)
            {
                // Disposing: the failure already reached, or no longer matters to, the consumer.
            }

            while (_inFlight.TryDequeue(out (Batch Batch, IDeviceEvent Copied) done))
            {
                done.Batch.Dispose();
            }

            if (error is not null)
            {
                _handoff.Fail(_sequence, error);
            }
            else
            {
                _handoff.Complete(_sequence);
            }
        }
    }

    // Waits for a free device slot; while none is free, hands finished host batches back to the loader.
    private DeviceSlot AcquireSlot(CancellationToken cancellation)
    {
        while (!_freeSignal.Wait(0, cancellation))
        {
            long start = Stopwatch.GetTimestamp();
            if (_inFlight.TryDequeue(out (Batch Batch, IDeviceEvent Copied) oldest))
            {
                try
                {
                    _backend.Synchronize(oldest.Copied);
                }
                finally
                {
                    oldest.Batch.Dispose();
                    DeviceMetrics.AddSince(DeviceMetrics.CopyWait, start);
                }

                continue;
            }

            _freeSignal.Wait(cancellation);
            DeviceMetrics.AddSince(DeviceMetrics.SlotWait, start);
            break;
        }

        _free.TryDequeue(out DeviceSlot? slot);
        return slot!;
    }

    // Hands host batches whose copies completed back to the loader; blocks for the oldest while more than `limit` are held.
    private void RetireCopied(int limit)
    {
        while (_inFlight.TryPeek(out (Batch Batch, IDeviceEvent Copied) oldest))
        {
            if (!_backend.Query(oldest.Copied))
            {
                if (_inFlight.Count < limit)
                {
                    return;
                }

                long start = Stopwatch.GetTimestamp();
                _backend.Synchronize(oldest.Copied);
                DeviceMetrics.AddSince(DeviceMetrics.CopyWait, start);
            }

            _inFlight.Dequeue();
            oldest.Batch.Dispose();
        }
    }

    private unsafe DeviceBatch Issue(DeviceSlot slot, Batch batch)
    {
        long start = Stopwatch.GetTimestamp();
        int host = batch.SlotIndex;
        _registry.Register(_loader, host);
        if (slot.ReleasePending)
        {
            _backend.Wait(_copyStream, slot.Released);
            slot.ReleasePending = false;
        }

        int count = batch.Count;
        long bytes = 0;
        var fields = new DeviceField[_schema.Count];
        for (int f = 0; f < _schema.Count; f++)
        {
            FieldSpec spec = _schema[f];
            if (!spec.IsVariable)
            {
                long length = (long)count * spec.BytesPerSample;
                Copy(slot.Values[f], (byte*)_loader.DangerousGetSlotBuffer(host, f).Pointer, length);
                fields[f] = new DeviceField(spec.Name, spec.DType, false, [count, .. spec.Shape], slot.Values[f], length, 0, 0);
                bytes += length;
                continue;
            }

            long values = batch.GetBytes(f).Length;
            long offsets = ((long)count + 1) * sizeof(long);
            _allocator.EnsureCapacity(slot, f, values, _copyStream);
            Copy(slot.Values[f], (byte*)_loader.DangerousGetSlotBuffer(host, f).Pointer, values);
            Copy(slot.Offsets[f], (byte*)_loader.DangerousGetSlotBuffer(host, f, offsets: true).Pointer, offsets);
            fields[f] = new DeviceField(spec.Name, spec.DType, true, [checked((int)(values / spec.ItemSize))], slot.Values[f], values, slot.Offsets[f], offsets);
            bytes += values + offsets;
        }

        _backend.Record(slot.Ready, _copyStream);
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _bytes, bytes);
        DeviceMetrics.Batches.Add(1);
        DeviceMetrics.Bytes.Add(bytes);
        DeviceMetrics.AddSince(DeviceMetrics.CopyIssueTime, start);
        return new DeviceBatch(_ring, slot, _schema, fields, count, batch.Epoch, batch.Position, batch.Sequence, batch.SampleIndices.ToArray());
    }

    private unsafe void Copy(ulong destination, byte* source, long bytes)
    {
        if (bytes > 0)
        {
            _backend.CopyHostToDeviceAsync(destination, (nint)source, bytes, _copyStream);
        }
    }
}
