using System.Diagnostics;
using System.Runtime.CompilerServices;
using ShardStore.Cuda.Internals.Backends;
using ShardStore.Cuda.Internals.Ring;
using ShardStore.Internals.Pipeline;

namespace ShardStore.Cuda;

/// <summary>
/// Moves a <see cref="ShardLoader"/>'s batches to device memory: a ring of device slots (2 by default: double
/// buffering) filled by async host-to-device copies on a dedicated copy stream, so the next batch lands while the
/// consumer trains on the current one, with no CPU-side wait in the steady state.
/// </summary>
/// <remarks>
/// <para>
/// A producer thread takes each host batch from the loader, page-locks the loader's slot buffers once
/// (cuMemHostRegister), waits on the device for the consumer's release of the target slot, issues one
/// cuMemcpyHtoDAsync per field buffer (and offsets), records the slot's ready event and hands the
/// <see cref="DeviceBatch"/> over at once. It returns the host batch to the loader as soon as its copy has completed.
/// </para>
/// <para>
/// The ring takes batches from the loader itself: do not read the loader while the ring runs. A loader feeds one
/// ring at a time. Dispose the ring (and the streams made from it) before the loader; a loader disposed first
/// disposes its ring before it frees its slots. Device memory and events are freed when the ring, every batch and
/// every stream from it are disposed; disposing waits for the copy stream, and the copy stream waits for releases
/// already recorded on consumer streams.
/// </para>
/// <para>
/// Without a GPU (<see cref="DeviceKind.Host"/>, or <see cref="DeviceKind.Auto"/> when <see cref="CudaDevice.IsAvailable"/>
/// is false) the same ring runs over host memory with emulated streams and events.
/// </para>
/// <para>
/// Stages: <see cref="DeviceRingValidation"/> checks the options; a <see cref="DeviceSlotAllocator"/> makes, grows and
/// frees the device slots on the ring's <c>MemoryBudget</c>; a <see cref="HostRegistry"/> keeps the loader's slot
/// buffers page-locked; the <see cref="CopyProducer"/> thread issues the copies; and an <see cref="OrderedHandoff{T}"/>
/// passes the device batches to the consumer. This class wires them together and keeps the lifetime: the references
/// of the ring, its batches and its streams, and the teardown once the last one goes.
/// </para>
/// <para>
/// The ring's locks are part of the pipeline's lock order, written down once in docs/ARCHITECTURE.md ("Threads and
/// locks"); the rest is Interlocked, a concurrent queue, or one thread's alone, as each field says.
/// </para>
/// </remarks>
public sealed class DeviceRing : IDisposable, IAsyncDisposable
{
    // Set once in the constructor: the loader, the options, the stages, and the copy stream the producer issues on.
    private readonly ShardLoader _loader;
    private readonly DeviceRingOptions _options;
    private readonly DeviceSlot[] _slots;
    private readonly DeviceSlotAllocator _allocator;
    private readonly HostRegistry _registry;
    private readonly IDeviceStream _copyStream;
    private readonly OrderedHandoff<DeviceBatch> _handoff;
    private readonly CopyProducer _producer;

    // Interlocked: the references that keep the device memory (the ring itself, each batch and stream handed out),
    // and whether Dispose was called.
    private int _references = 1;
    private int _disposed;

    // Written once by Dispose after the producer stopped, read by any thread releasing a batch: slots no longer go back to the free list.
    private volatile bool _closed;

    // Interlocked: the time the consumer waited (for a batch, and in DeviceBatch.Synchronize).
    private long _waitTicks;

    private DeviceRing(ShardLoader loader, DeviceRingOptions options, IDeviceBackend backend)
    {
        _loader = loader;
        _options = options;
        Backend = backend;
        _slots = new DeviceSlot[options.SlotCount];
        _allocator = new DeviceSlotAllocator(backend, loader, options);
        _registry = new HostRegistry(backend);
        _copyStream = backend.CreateStream();
        _handoff = new OrderedHandoff<DeviceBatch>(
            capacity: null,
            singleProducer: true,
            discard: batch => batch.Dispose(),
            waited: ticks =>
            {
                Interlocked.Add(ref _waitTicks, ticks);
                DeviceMetrics.ConsumerWait.Add(Stopwatch.GetElapsedTime(0, ticks).TotalSeconds);
            });
        _producer = new CopyProducer(this, loader, backend, _copyStream, _registry, _allocator, _handoff, options.SlotCount);
        try
        {
            // First, so a second ring over the same loader is refused before it touches the loader's slots.
            loader.AttachConsumer(this, _registry.OnBufferFreeing);
            for (int i = 0; i < _slots.Length; i++)
            {
                _slots[i] = _allocator.CreateSlot(i);
                _producer.ReturnSlot(_slots[i]);
            }

            // The loader starts its workers on the first NextBatch, so no slot buffer moves while this runs.
            for (int slot = 0; slot < loader.SlotCount; slot++)
            {
                _registry.Register(loader, slot);
            }
        }
        catch
        {
            loader.DetachConsumer(this);
            _registry.Dispose();
            TearDown();
            throw;
        }
    }

    /// <summary>Gets which device the ring copies to.</summary>
    public DeviceKind Kind => Backend.Kind;

    /// <summary>Gets a one-line description of the device (name and ordinal, or the host emulation and why).</summary>
    public string DeviceDescription => Backend.Description;

    /// <summary>Gets the number of device slots.</summary>
    public int SlotCount => _slots.Length;

    /// <summary>Gets a snapshot of the ring's counters.</summary>
    public DeviceRingStatistics Statistics => new(
        _producer.Batches,
        _producer.Bytes,
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitTicks)),
        _allocator.Budget.InUseBytes,
        _options.MemoryBudgetBytes)
    {
        HostRegistrationsRefused = _registry.Refused,
    };

    internal IDeviceBackend Backend { get; }

    /// <summary>Gets the number of loader buffers page-locked now (for leak checks).</summary>
    internal int RegisteredHostBuffers => _registry.Count;

    /// <summary>Gets the number of loader buffers unregistered because the loader was about to free them (a variable field grew).</summary>
    internal long HostBuffersFreedByLoader => _registry.FreedByLoader;

    /// <summary>Creates a ring over <paramref name="loader"/>; nothing is copied until the first batch is asked for.</summary>
    /// <param name="loader">A loader nobody else reads; it must outlive the ring.</param>
    /// <param name="options">Device, slots and device memory budget; null for the defaults.</param>
    /// <returns>The ring.</returns>
    /// <exception cref="ArgumentException">
    /// An option is out of range; the slots do not fit in <see cref="DeviceRingOptions.MemoryBudgetBytes"/>;
    /// <see cref="DeviceRingOptions.CallerSlots"/> does not match the slot count, the schema or the batch size; or
    /// the loader hands out mapped batches (<see cref="ShardLoaderOptions.ZeroCopy"/>).
    /// </exception>
    /// <exception cref="InvalidOperationException"><see cref="DeviceKind.Cuda"/> was asked for and CUDA is not available (the message says why), or another ring reads the loader.</exception>
    /// <exception cref="CudaException">The driver fails to allocate or create the ring's objects.</exception>
    /// <exception cref="ObjectDisposedException">The loader was disposed.</exception>
    public static DeviceRing Create(ShardLoader loader, DeviceRingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(loader);
        options ??= new DeviceRingOptions();
        DeviceRingValidation.Validate(loader, options);
        IDeviceBackend backend = options.Device switch
        {
            DeviceKind.Cuda => CudaBackend.Open(options.DeviceOrdinal),
            DeviceKind.Host => new HostBackend(CudaDevice.UnavailableReason),
            _ when CudaDevice.IsAvailable => CudaBackend.Open(options.DeviceOrdinal),
            _ => new HostBackend(CudaDevice.UnavailableReason),
        };

        try
        {
            return new DeviceRing(loader, options, backend);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Creates a ring over an explicit backend (tests inject a <see cref="HostBackend"/> with faults); the ring owns it.</summary>
    internal static DeviceRing CreateWithBackend(ShardLoader loader, DeviceRingOptions options, IDeviceBackend backend)
    {
        DeviceRingValidation.Validate(loader, options);
        return new DeviceRing(loader, options, backend);
    }

    /// <summary>Returns the device bytes one slot of a ring over <paramref name="loader"/> allocates, as counted against the budget.</summary>
    /// <param name="loader">The loader.</param>
    /// <param name="variableFieldBytes">See <see cref="DeviceRingOptions.VariableFieldBytes"/>.</param>
    /// <returns>The bytes.</returns>
    public static long SlotBytes(ShardLoader loader, long? variableFieldBytes = null)
    {
        ArgumentNullException.ThrowIfNull(loader);
        return DeviceRingValidation.SlotBytes(loader, variableFieldBytes);
    }

    /// <summary>Creates a non-blocking stream on the ring's device, for the consumer's work; dispose it before the ring.</summary>
    /// <returns>The stream.</returns>
    /// <exception cref="CudaException">The driver fails.</exception>
    /// <exception cref="ObjectDisposedException">The ring was disposed.</exception>
    public DeviceStream CreateStream()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        IDeviceStream inner = Backend.CreateStream();
        AddReference();
        return new DeviceStream(this, inner);
    }

    /// <summary>Wraps a CUstream the caller owns (for example a framework's current stream); disposing the wrapper leaves it alone.</summary>
    /// <param name="cuStream">The CUstream handle; 0 is the legacy default stream.</param>
    /// <returns>The wrapper.</returns>
    /// <exception cref="NotSupportedException">The ring runs on the host device.</exception>
    /// <exception cref="ObjectDisposedException">The ring was disposed.</exception>
    public DeviceStream WrapStream(nint cuStream)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        IDeviceStream inner = Backend.WrapStream(cuStream);
        AddReference();
        return new DeviceStream(this, inner);
    }

    /// <summary>Returns the next batch, blocking only while its copy has not even been issued; null after the loader's last batch.</summary>
    /// <param name="cancellationToken">Cancels the wait (the ring keeps running).</param>
    /// <returns>The batch, or null at the end.</returns>
    /// <exception cref="InvalidDataException">A corrupt chunk (after every batch before it).</exception>
    /// <exception cref="CudaException">A copy failed (after every batch before it).</exception>
    /// <exception cref="InvalidOperationException">A variable-length field outgrew its device slot and the budget cannot hold a larger one.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The ring was disposed.</exception>
    public DeviceBatch? Next(CancellationToken cancellationToken = default)
    {
        if (!TryTakeReady(out DeviceBatch? batch))
        {
            batch = _handoff.Take(cancellationToken);
        }

        return batch;
    }

    /// <summary>Streams batches until the loader's last one; same contract as <see cref="Next"/>.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The batches.</returns>
    public async IAsyncEnumerable<DeviceBatch> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (!TryTakeReady(out DeviceBatch? batch))
            {
                batch = await _handoff.TakeAsync(cancellationToken).ConfigureAwait(false);
            }

            if (batch is null)
            {
                yield break;
            }

            yield return batch;
        }
    }

    /// <summary>Copies bytes of <paramref name="batch"/> to host memory once the batch's copy has completed: for checks and debugging, not for the training path.</summary>
    /// <remarks>
    /// The read runs on the legacy default stream, which the ring's streams (non-blocking) do not synchronize with, so
    /// it first waits on the host for the batch's ready event: without that wait it could read the slot before the
    /// batch's bytes arrived. Work the caller enqueued on its own streams is not waited for: synchronize those first
    /// (<see cref="DeviceStream.Synchronize"/>).
    /// </remarks>
    /// <param name="batch">A batch from this ring, not yet disposed.</param>
    /// <param name="source">A device address inside the batch, from one of its <see cref="DeviceField"/>s.</param>
    /// <param name="destination">Where the bytes go; its length is the number of bytes copied.</param>
    /// <exception cref="ArgumentException"><paramref name="batch"/> comes from another ring.</exception>
    /// <exception cref="CudaException">The driver fails, or the batch's copy failed.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="batch"/> was disposed.</exception>
    public void CopyToHost(DeviceBatch batch, ulong source, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Ring != this)
        {
            throw new ArgumentException("The batch came from another DeviceRing.", nameof(batch));
        }

        Backend.Synchronize(batch.Slot.Ready);
        CopyToHost(source, destination);
    }

    /// <summary>Copies device memory to host memory as it is now, without waiting for any copy of the ring: for checks and debugging.</summary>
    /// <remarks>
    /// The read runs on the legacy default stream, which does not wait for the ring's copy stream: a batch's bytes may
    /// not have arrived yet. To read a batch, use <see cref="CopyToHost(DeviceBatch, ulong, Span{byte})"/>, which waits for it.
    /// </remarks>
    /// <param name="source">A device address from a <see cref="DeviceField"/>.</param>
    /// <param name="destination">Where the bytes go; its length is the number of bytes copied.</param>
    /// <exception cref="CudaException">The driver fails.</exception>
    public unsafe void CopyToHost(ulong source, Span<byte> destination)
    {
        fixed (byte* d = destination)
        {
            Backend.CopyDeviceToHost((nint)d, source, destination.Length);
        }
    }

    /// <summary>
    /// Stops the producer, waits for copies in flight, hands the loader its batches back and unregisters the loader's
    /// buffers. Device memory is freed once every batch and stream from the ring is disposed too. Safe to call twice.
    /// </summary>
    public void Dispose()
    {
        if (!BeginDispose())
        {
            return;
        }

        _producer.Stop();
        EndDispose();
    }

    /// <summary>Like <see cref="Dispose"/>, but waits for the producer thread to stop without blocking a thread.</summary>
    /// <returns>A task that completes when the ring is disposed (device memory held by batches and streams still out is freed with them).</returns>
    public async ValueTask DisposeAsync()
    {
        if (!BeginDispose())
        {
            return;
        }

        await _producer.StopAsync().ConfigureAwait(false);
        EndDispose();
    }

    internal void CheckStream(DeviceStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.Ring != this)
        {
            throw new ArgumentException("The stream was made by another DeviceRing; use a stream from this ring's CreateStream or WrapStream.", nameof(stream));
        }
    }

    internal void SynchronizeReady(DeviceSlot slot)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            Backend.Synchronize(slot.Ready);
        }
        finally
        {
            AddWait(start);
        }
    }

    internal void Release(DeviceSlot slot, DeviceStream? stream)
    {
        try
        {
            if (stream is not null)
            {
                Backend.Record(slot.Released, stream.Inner);
                slot.ReleasePending = true;
            }
        }
        finally
        {
            if (!_closed)
            {
                _producer.ReturnSlot(slot);
            }

            ReleaseReference();
        }
    }

    internal void AddReference() => Interlocked.Increment(ref _references);

    internal void ReleaseReference()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            TearDown();
        }
    }

    // The first half of disposing: false when already disposed.
    private bool BeginDispose() => Interlocked.Exchange(ref _disposed, 1) == 0;

    // The second half, once the producer thread stopped: unregisters the loader's buffers, disposes the batches nobody
    // took, lets go of the loader and drops the ring's own reference.
    private void EndDispose()
    {
        _registry.Dispose();
        _closed = true;
        _handoff.Close();
        _loader.DetachConsumer(this);
        ReleaseReference();
    }

    private bool TryTakeReady(out DeviceBatch? batch)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _producer.Start();
        return _handoff.TryTake(out batch);
    }

    private void AddWait(long start)
    {
        long ticks = Stopwatch.GetTimestamp() - start;
        Interlocked.Add(ref _waitTicks, ticks);
        DeviceMetrics.ConsumerWait.Add(Stopwatch.GetElapsedTime(0, ticks).TotalSeconds);
    }

    private void TearDown()
    {
        try
        {
            Backend.Synchronize(_copyStream);
        }
        catch (Exception)
        {
            // A failed copy reports its sticky error here; the consumer has had it through Next, and Dispose must not throw.
        }

        foreach (DeviceSlot? slot in _slots)
        {
            if (slot is null)
            {
                continue;
            }

            // Never free memory a consumer stream may still read: its release was recorded before the slot came back.
            try
            {
                Backend.Synchronize(slot.Released);
            }
            catch (Exception)
            {
                // As above.
            }

            _allocator.Free(slot);
        }

        _copyStream.Dispose();
        Backend.Dispose();
        _producer.Dispose();
    }
}
