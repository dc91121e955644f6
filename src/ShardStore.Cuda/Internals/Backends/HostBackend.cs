using System.Collections.Concurrent;

namespace ShardStore.Cuda.Internals.Backends;

/// <summary>
/// The device ring's backend without a GPU: device memory is aligned host memory, streams are <see cref="EmulatedStream"/>
/// queues and events are <see cref="EmulatedEvent"/>s, with the driver's ordering rules. It counts allocations and
/// registrations (for leak checks) and can inject a failing copy.
/// </summary>
internal sealed unsafe class HostBackend : IDeviceBackend
{
    private readonly ConcurrentDictionary<nint, long> _registered = new();
    private readonly ConcurrentDictionary<nint, bool> _pinnedElsewhere = new();
    private long _allocatedBytes;
    private long _peakAllocatedBytes;
    private int _allocations;
    private long _copies;

    /// <summary>Initializes the emulation.</summary>
    /// <param name="reason">Why the host stands in for a GPU, for the description.</param>
    public HostBackend(string? reason = null) =>
        Description = reason is null ? "host memory (emulated device)" : $"host memory (emulated device; CUDA: {reason})";

    /// <inheritdoc/>
    public DeviceKind Kind => DeviceKind.Host;

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Gets or sets a hook run on the stream's worker before each host-to-device copy, given the copy's number from 0; an exception it returns fails the copy.</summary>
    public Func<long, Exception?>? OnCopy { get; set; }

    /// <summary>Gets the bytes of "device" memory allocated and not freed.</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>Gets the most "device" memory ever allocated at once.</summary>
    public long PeakAllocatedBytes => Interlocked.Read(ref _peakAllocatedBytes);

    /// <summary>Gets the number of live allocations.</summary>
    public int Allocations => Volatile.Read(ref _allocations);

    /// <summary>Gets the number of host ranges registered and not unregistered.</summary>
    public int RegisteredRanges => _registered.Count;

    /// <summary>Gets the number of host-to-device copies issued.</summary>
    public long Copies => Interlocked.Read(ref _copies);

    /// <inheritdoc/>
    public IDeviceAllocation Allocate(long bytes)
    {
        var allocation = new HostAllocation(this, bytes);
        long now = Interlocked.Add(ref _allocatedBytes, bytes);
        Interlocked.Increment(ref _allocations);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peakAllocatedBytes)) && Interlocked.CompareExchange(ref _peakAllocatedBytes, now, peak) != peak)
        {
        }

        return allocation;
    }

    /// <inheritdoc/>
    public IDeviceStream CreateStream() => new EmulatedStream();

    /// <inheritdoc/>
    public IDeviceStream WrapStream(nint handle) =>
        throw new NotSupportedException("The host device has no native streams to wrap; create one with DeviceRing.CreateStream.");

    /// <inheritdoc/>
    public IDeviceEvent CreateEvent() => new EmulatedEvent();

    /// <summary>Makes the emulation refuse <paramref name="pointer"/> as already registered by another owner, as the driver does (CUDA error 712).</summary>
    public void PinElsewhere(nint pointer) => _pinnedElsewhere[pointer] = true;

    /// <summary>Returns whether the host range starting at <paramref name="pointer"/> is registered now.</summary>
    public bool IsRegistered(nint pointer) => _registered.ContainsKey(pointer);

    /// <inheritdoc/>
    public IDisposable? RegisterHost(nint pointer, long bytes, bool readOnly)
    {
        if (_pinnedElsewhere.ContainsKey(pointer))
        {
            return null;
        }

        // The driver refuses a range registered twice; so does the emulation, so the ring's bookkeeping is checked here too.
        if (!_registered.TryAdd(pointer, bytes))
        {
            throw new InvalidOperationException($"Host range 0x{pointer:X} is already registered.");
        }

        return new HostRegistration(this, pointer);
    }

    /// <inheritdoc/>
    public void CopyHostToDeviceAsync(ulong destination, nint source, long bytes, IDeviceStream stream)
    {
        long number = Interlocked.Increment(ref _copies) - 1;
        Func<long, Exception?>? hook = OnCopy;
        ((EmulatedStream)stream).Enqueue(
            fault =>
            {
                if (fault is not null)
                {
                    return;
                }

                if (hook?.Invoke(number) is { } error)
                {
                    throw error;
                }

                Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes);
            },
            failIfFaulted: true);
    }

    /// <inheritdoc/>
    public void CopyDeviceToHost(nint destination, ulong source, long bytes) =>
        Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes);

    /// <inheritdoc/>
    public void CopyDeviceToHostAsync(nint destination, ulong source, long bytes, IDeviceStream stream) =>
        ((EmulatedStream)stream).Enqueue(
            fault =>
            {
                if (fault is null)
                {
                    Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes);
                }
            },
            failIfFaulted: true);

    /// <inheritdoc/>
    public void Record(IDeviceEvent deviceEvent, IDeviceStream stream)
    {
        var e = (EmulatedEvent)deviceEvent;
        long record = e.NextRecord();
        ((EmulatedStream)stream).Enqueue(fault => e.Complete(record, fault), failIfFaulted: false);
    }

    /// <inheritdoc/>
    public void Wait(IDeviceStream stream, IDeviceEvent deviceEvent)
    {
        var e = (EmulatedEvent)deviceEvent;
        long record = e.LatestRecord;
        ((EmulatedStream)stream).Enqueue(
            fault =>
            {
                if (fault is null)
                {
                    e.WaitFor(record);
                }
            },
            failIfFaulted: true);
    }

    /// <inheritdoc/>
    public bool Query(IDeviceEvent deviceEvent) => ((EmulatedEvent)deviceEvent).Query();

    /// <inheritdoc/>
    public void Synchronize(IDeviceEvent deviceEvent)
    {
        var e = (EmulatedEvent)deviceEvent;
        e.WaitFor(e.LatestRecord);
    }

    /// <inheritdoc/>
    public void Synchronize(IDeviceStream stream) => ((EmulatedStream)stream).Synchronize();

    /// <inheritdoc/>
    public void LaunchHostWork(IDeviceStream stream, Action work) =>
        ((EmulatedStream)stream).Enqueue(
            fault =>
            {
                if (fault is null)
                {
                    work();
                }
            },
            failIfFaulted: true);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    internal void OnFreed(long bytes)
    {
        Interlocked.Add(ref _allocatedBytes, -bytes);
        Interlocked.Decrement(ref _allocations);
    }

    internal void OnUnregistered(nint pointer) => _registered.TryRemove(pointer, out _);
}
