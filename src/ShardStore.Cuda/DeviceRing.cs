using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using ShardStore.Cuda.Internals;

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
/// </remarks>
public sealed class DeviceRing : IDisposable, IAsyncDisposable
{
    private const long AllocationGranularity = 256;
    private readonly ShardLoader _loader;
    private readonly DeviceRingOptions _options;
    private readonly Schema _schema;
    private readonly DeviceSlot[] _slots;
    private readonly ConcurrentQueue<DeviceSlot> _free = new();
    private readonly SemaphoreSlim _freeSignal;
    private readonly Channel<Item> _ready = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly HostRegistry _registry;
    private readonly IDeviceStream _copyStream;
    private readonly Queue<(Batch Batch, IDeviceEvent Copied)> _inFlight = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly object _startLock = new();
    private readonly int _maxHostInFlight;
    private Thread? _producer;
    private long _allocated;
    private int _references = 1;
    private int _disposed;
    private volatile bool _closed;
    private ExceptionDispatchInfo? _terminalError;
    private bool _finished;
    private long _batches;
    private long _bytes;
    private long _waitTicks;

    private DeviceRing(ShardLoader loader, DeviceRingOptions options, IDeviceBackend backend)
    {
        _loader = loader;
        _options = options;
        _schema = loader.Dataset.Schema;
        Backend = backend;
        _maxHostInFlight = Math.Max(1, loader.SlotCount - 1);
        _slots = new DeviceSlot[options.SlotCount];
        _freeSignal = new SemaphoreSlim(0, options.SlotCount);
        _registry = new HostRegistry(backend);
        _copyStream = backend.CreateStream();
        try
        {
            // First, so a second ring over the same loader is refused before it touches the loader's slots.
            loader.AttachConsumer(this);
            for (int i = 0; i < _slots.Length; i++)
            {
                _slots[i] = CreateSlot(i);
                _free.Enqueue(_slots[i]);
                _freeSignal.Release();
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
        Interlocked.Read(ref _batches),
        Interlocked.Read(ref _bytes),
        Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitTicks)),
        Interlocked.Read(ref _allocated),
        _options.MemoryBudgetBytes);

    internal IDeviceBackend Backend { get; }

    /// <summary>Gets the number of loader buffers page-locked now (for leak checks).</summary>
    internal int RegisteredHostBuffers => _registry.Count;

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
        Validate(loader, options);
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
        Validate(loader, options);
        return new DeviceRing(loader, options, backend);
    }

    /// <summary>Returns the device bytes one slot of a ring over <paramref name="loader"/> allocates, as counted against the budget.</summary>
    /// <param name="loader">The loader.</param>
    /// <param name="variableFieldBytes">See <see cref="DeviceRingOptions.VariableFieldBytes"/>.</param>
    /// <returns>The bytes.</returns>
    public static long SlotBytes(ShardLoader loader, long? variableFieldBytes = null)
    {
        ArgumentNullException.ThrowIfNull(loader);
        Schema schema = loader.Dataset.Schema;
        int batchSize = loader.Options.BatchSize;
        long total = 0;
        for (int f = 0; f < schema.Count; f++)
        {
            FieldSpec spec = schema[f];
            total += spec.IsVariable
                ? RoundUp(variableFieldBytes ?? loader.DangerousGetSlotBuffer(0, f).Capacity) + RoundUp(((long)batchSize + 1) * sizeof(long))
                : RoundUp((long)batchSize * spec.BytesPerSample);
        }

        return total;
    }

    /// <summary>Creates a non-blocking stream on the ring's device, for the consumer's work; dispose it before the ring.</summary>
    /// <returns>The stream.</returns>
    /// <exception cref="CudaException">The driver fails.</exception>
    /// <exception cref="ObjectDisposedException">The ring was disposed.</exception>
    public DeviceStream CreateStream()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        IDeviceStream inner = Backend.CreateStream();
        Interlocked.Increment(ref _references);
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
        Interlocked.Increment(ref _references);
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
        if (TryTakeReady(out Item item))
        {
            return Deliver(item);
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            while (!_ready.Reader.TryRead(out item))
            {
                if (!_ready.Reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
                {
                    item = default;
                    break;
                }
            }
        }
        finally
        {
            AddWait(start);
        }

        return Deliver(item);
    }

    /// <summary>Streams batches until the loader's last one; same contract as <see cref="Next"/>.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The batches.</returns>
    public async IAsyncEnumerable<DeviceBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (!TryTakeReady(out Item item))
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    while (!_ready.Reader.TryRead(out item))
                    {
                        if (!await _ready.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            item = default;
                            break;
                        }
                    }
                }
                finally
                {
                    AddWait(start);
                }
            }

            DeviceBatch? batch = Deliver(item);
            if (batch is null)
            {
                yield break;
            }

            yield return batch;
        }
    }

    /// <summary>Copies device memory to host memory, synchronously: for checks and debugging, not for the training path.</summary>
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
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        lock (_startLock)
        {
            _producer?.Join();
        }

        _registry.Dispose();
        _closed = true;
        while (_ready.Reader.TryRead(out Item item))
        {
            item.Batch?.Dispose();
        }

        _loader.DetachConsumer(this);
        ReleaseReference();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
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
                _free.Enqueue(slot);
                _freeSignal.Release();
            }

            ReleaseReference();
        }
    }

    internal void ReleaseReference()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            TearDown();
        }
    }

    private static long RoundUp(long bytes) => Math.Max(AllocationGranularity, (bytes + AllocationGranularity - 1) & ~(AllocationGranularity - 1));

    private static void Validate(ShardLoader loader, DeviceRingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SlotCount, 2, "options.SlotCount");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MemoryBudgetBytes, "options.MemoryBudgetBytes");
        ArgumentOutOfRangeException.ThrowIfNegative(options.DeviceOrdinal, "options.DeviceOrdinal");
        if (options.VariableFieldBytes is { } v)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(v, "options.VariableFieldBytes");
        }

        if (!Enum.IsDefined(options.Device))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Device, "Unknown device kind.");
        }

        if (loader.Options.ZeroCopy)
        {
            throw new ArgumentException(
                "The loader was created with ShardLoaderOptions.ZeroCopy, so some batches are spans over the shard files' mapping, not pinned slots; the ring copies to the GPU from the loader's pinned slots. Create the loader without ZeroCopy.",
                nameof(loader));
        }

        Schema schema = loader.Dataset.Schema;
        int batchSize = loader.Options.BatchSize;
        if (options.CallerSlots is { } slots)
        {
            if (slots.Count != options.SlotCount)
            {
                throw new ArgumentException($"DeviceRingOptions.CallerSlots has {slots.Count} slots; SlotCount is {options.SlotCount}. Pass one DeviceSlotMemory per slot.", nameof(options));
            }

            for (int s = 0; s < slots.Count; s++)
            {
                if (CheckCallerSlot(slots[s], s, schema, batchSize) is { } problem)
                {
                    throw new ArgumentException(problem, nameof(options));
                }
            }

            return;
        }

        long needed = options.SlotCount * SlotBytes(loader, options.VariableFieldBytes);
        if (needed > options.MemoryBudgetBytes)
        {
            throw new ArgumentException(
                $"DeviceRingOptions.MemoryBudgetBytes ({options.MemoryBudgetBytes}) cannot hold {options.SlotCount} device slots of {needed / options.SlotCount} bytes " +
                $"(batch size {batchSize}); raise the budget, or lower SlotCount, the batch size or VariableFieldBytes.",
                nameof(options));
        }
    }

    private static string? CheckCallerSlot(DeviceSlotMemory? slot, int index, Schema schema, int batchSize)
    {
        if (slot is null || slot.Fields.Count != schema.Count)
        {
            return $"Caller slot {index} has {slot?.Fields.Count ?? 0} fields; the schema has {schema.Count}.";
        }

        for (int f = 0; f < schema.Count; f++)
        {
            FieldSpec spec = schema[f];
            DeviceFieldMemory m = slot.Fields[f];
            long values = spec.IsVariable ? 1 : (long)batchSize * spec.BytesPerSample;
            long offsets = spec.IsVariable ? ((long)batchSize + 1) * sizeof(long) : 0;
            if (m.Values == 0 || m.ValuesCapacity < values || (spec.IsVariable && (m.Offsets == 0 || m.OffsetsCapacity < offsets)))
            {
                return $"Caller slot {index}, field '{spec.Name}': needs a values buffer of at least {values} bytes" +
                    (spec.IsVariable ? $" and an offsets buffer of at least {offsets} bytes" : string.Empty) +
                    $" for batches of {batchSize}; got {m.ValuesCapacity} at 0x{m.Values:X} and {m.OffsetsCapacity} at 0x{m.Offsets:X}.";
            }
        }

        return null;
    }

    private DeviceSlot CreateSlot(int index)
    {
        IDeviceEvent ready = Backend.CreateEvent();
        IDeviceEvent released;
        try
        {
            released = Backend.CreateEvent();
        }
        catch
        {
            ready.Dispose();
            throw;
        }

        var slot = new DeviceSlot(index, _schema.Count, ready, released, _options.CallerSlots is not null);
        try
        {
            int batchSize = _loader.Options.BatchSize;
            for (int f = 0; f < _schema.Count; f++)
            {
                if (_options.CallerSlots is { } caller)
                {
                    slot.SetCallerMemory(f, caller[index].Fields[f]);
                    continue;
                }

                FieldSpec spec = _schema[f];
                if (spec.IsVariable)
                {
                    slot.SetValues(f, Allocate(_options.VariableFieldBytes ?? _loader.DangerousGetSlotBuffer(0, f).Capacity));
                    slot.SetOffsets(f, Allocate(((long)batchSize + 1) * sizeof(long)));
                }
                else
                {
                    slot.SetValues(f, Allocate((long)batchSize * spec.BytesPerSample));
                }
            }

            return slot;
        }
        catch
        {
            Interlocked.Add(ref _allocated, -SlotOwnedBytes(slot));
            slot.Dispose();
            throw;
        }
    }

    private long SlotOwnedBytes(DeviceSlot slot)
    {
        long total = 0;
        for (int f = 0; f < _schema.Count; f++)
        {
            total += slot.OwnedValuesBytes(f) + (slot.CallerOwned || !_schema[f].IsVariable ? 0 : slot.OffsetsCapacity[f]);
        }

        return total;
    }

    // Every device allocation of the ring goes through here, so the budget is checked before the driver is asked.
    private IDeviceAllocation Allocate(long bytes)
    {
        long size = RoundUp(bytes);
        if (Interlocked.Add(ref _allocated, size) > _options.MemoryBudgetBytes)
        {
            Interlocked.Add(ref _allocated, -size);
            throw new InvalidOperationException(
                $"The device ring needs {size} more bytes of device memory and its budget (DeviceRingOptions.MemoryBudgetBytes = {_options.MemoryBudgetBytes}, " +
                $"{Interlocked.Read(ref _allocated)} in use) cannot hold them; raise the budget or VariableFieldBytes, or lower the batch size.");
        }

        try
        {
            return Backend.Allocate(size);
        }
        catch
        {
            Interlocked.Add(ref _allocated, -size);
            throw;
        }
    }

    private void EnsureStarted()
    {
        lock (_startLock)
        {
            if (_producer is null && _disposed == 0)
            {
                _producer = new Thread(Produce) { IsBackground = true, Name = "ShardStore device ring producer" };
                _producer.Start();
            }
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
        return _ready.Reader.TryRead(out item);
    }

    private DeviceBatch? Deliver(Item item)
    {
        if (item.Error is { } error)
        {
            _terminalError = error;
            error.Throw();
        }

        if (item.Batch is null)
        {
            _finished = true;
        }

        return item.Batch;
    }

    private void AddWait(long start) => Interlocked.Add(ref _waitTicks, Stopwatch.GetTimestamp() - start);

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
                    ReturnUnused(slot);
                    throw;
                }

                if (batch is null)
                {
                    ReturnUnused(slot);
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
                    ReturnUnused(slot);
                    throw;
                }

                _inFlight.Enqueue((batch, slot.Ready));
                Interlocked.Increment(ref _references);
                _ready.Writer.TryWrite(new Item(device, null));
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
                Backend.Synchronize(_copyStream);
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
                _ready.Writer.TryWrite(new Item(null, error));
            }

            _ready.Writer.TryComplete();
        }
    }

    // Waits for a free device slot; while none is free, hands finished host batches back to the loader.
    private DeviceSlot AcquireSlot(CancellationToken cancellation)
    {
        while (!_freeSignal.Wait(0, cancellation))
        {
            if (_inFlight.TryDequeue(out (Batch Batch, IDeviceEvent Copied) oldest))
            {
                try
                {
                    Backend.Synchronize(oldest.Copied);
                }
                finally
                {
                    oldest.Batch.Dispose();
                }

                continue;
            }

            _freeSignal.Wait(cancellation);
            break;
        }

        _free.TryDequeue(out DeviceSlot? slot);
        return slot!;
    }

    private void ReturnUnused(DeviceSlot slot)
    {
        _free.Enqueue(slot);
        _freeSignal.Release();
    }

    // Hands host batches whose copies completed back to the loader; blocks for the oldest while more than `limit` are held.
    private void RetireCopied(int limit)
    {
        while (_inFlight.TryPeek(out (Batch Batch, IDeviceEvent Copied) oldest))
        {
            if (!Backend.Query(oldest.Copied))
            {
                if (_inFlight.Count < limit)
                {
                    return;
                }

                Backend.Synchronize(oldest.Copied);
            }

            _inFlight.Dequeue();
            oldest.Batch.Dispose();
        }
    }

    private unsafe DeviceBatch Issue(DeviceSlot slot, Batch batch)
    {
        int host = batch.SlotIndex;
        _registry.DropStale(_loader);
        _registry.Register(_loader, host);
        if (slot.ReleasePending)
        {
            Backend.Wait(_copyStream, slot.Released);
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
            EnsureCapacity(slot, f, values);
            Copy(slot.Values[f], (byte*)_loader.DangerousGetSlotBuffer(host, f).Pointer, values);
            Copy(slot.Offsets[f], (byte*)_loader.DangerousGetSlotBuffer(host, f, offsets: true).Pointer, offsets);
            fields[f] = new DeviceField(spec.Name, spec.DType, true, [checked((int)(values / spec.ItemSize))], slot.Values[f], values, slot.Offsets[f], offsets);
            bytes += values + offsets;
        }

        Backend.Record(slot.Ready, _copyStream);
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _bytes, bytes);
        return new DeviceBatch(this, slot, _schema, fields, count, batch.Epoch, batch.Position, batch.Sequence, batch.SampleIndices.ToArray());
    }

    private unsafe void Copy(ulong destination, byte* source, long bytes)
    {
        if (bytes > 0)
        {
            Backend.CopyHostToDeviceAsync(destination, (nint)source, bytes, _copyStream);
        }
    }

    private void EnsureCapacity(DeviceSlot slot, int field, long bytes)
    {
        if (bytes <= slot.ValuesCapacity[field])
        {
            return;
        }

        string name = _schema[field].Name;
        if (slot.CallerOwned)
        {
            throw new InvalidOperationException(
                $"A batch needs {bytes} bytes for variable-length field '{name}', and caller slot {slot.Index} has {slot.ValuesCapacity[field]}; pass larger buffers in DeviceRingOptions.CallerSlots.");
        }

        // The old buffer may still be read by the consumer's stream or written by an earlier copy: wait for both first.
        Backend.Synchronize(slot.Released);
        Backend.Synchronize(_copyStream);
        long old = slot.OwnedValuesBytes(field);
        long wanted = Math.Max(bytes, slot.ValuesCapacity[field] * 2);
        if (Interlocked.Read(ref _allocated) - old + RoundUp(wanted) > _options.MemoryBudgetBytes)
        {
            wanted = bytes;
        }

        if (Interlocked.Read(ref _allocated) - old + RoundUp(wanted) > _options.MemoryBudgetBytes)
        {
            throw new InvalidOperationException(
                $"A batch needs {bytes} bytes for variable-length field '{name}' on the device, and the ring's budget (DeviceRingOptions.MemoryBudgetBytes = {_options.MemoryBudgetBytes}, " +
                $"{Interlocked.Read(ref _allocated)} in use) cannot hold a larger slot buffer; raise the budget or VariableFieldBytes, or lower the batch size.");
        }

        Interlocked.Add(ref _allocated, -old);
        slot.SetValues(field, Allocate(wanted));
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

            Interlocked.Add(ref _allocated, -SlotOwnedBytes(slot));
            slot.Dispose();
        }

        _copyStream.Dispose();
        Backend.Dispose();
        _freeSignal.Dispose();
        _stop.Dispose();
    }

    private readonly record struct Item(DeviceBatch? Batch, ExceptionDispatchInfo? Error);
}
