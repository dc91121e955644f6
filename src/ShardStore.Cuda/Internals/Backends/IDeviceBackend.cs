namespace ShardStore.Cuda.Internals.Backends;

/// <summary>
/// What the device ring needs from a device: memory, streams, events and async host-to-device copies. Implemented
/// by the CUDA driver (<see cref="CudaBackend"/>) and by a host emulation (<see cref="HostBackend"/>) with the same
/// ordering rules, so the ring's state machine runs, and is tested, on every machine.
/// </summary>
/// <remarks>
/// Ordering rules (CUDA's): work on one stream runs in issue order; <see cref="Record"/> captures the work issued on
/// the stream so far and the event completes when the stream gets there; <see cref="Wait"/> makes a stream wait, on
/// the device, for the event's most recent record at the time of the call; an event never recorded counts as complete.
/// A failed operation makes the stream fail every later operation (a sticky error), and events recorded behind it
/// report the failure.
/// </remarks>
internal interface IDeviceBackend : IDisposable
{
    /// <summary>Gets which kind of device this is.</summary>
    DeviceKind Kind { get; }

    /// <summary>Gets a one-line description: device name and ordinal, or the emulation.</summary>
    string Description { get; }

    /// <summary>Allocates device memory.</summary>
    IDeviceAllocation Allocate(long bytes);

    /// <summary>Creates a stream that does not synchronize with any other stream implicitly.</summary>
    IDeviceStream CreateStream();

    /// <summary>Wraps a stream the caller owns (a CUstream from another framework); disposing the wrapper does not destroy it.</summary>
    IDeviceStream WrapStream(nint handle);

    /// <summary>Creates an event used for ordering only.</summary>
    IDeviceEvent CreateEvent();

    /// <summary>Page-locks a host range so copies from it are DMA transfers that do not block the host.</summary>
    /// <returns>The registration (dispose it before the range is freed), or null when the range is already page-locked by another owner.</returns>
    IDisposable? RegisterHost(nint pointer, long bytes, bool readOnly);

    /// <summary>Enqueues a copy of <paramref name="bytes"/> from host memory to device memory on <paramref name="stream"/>.</summary>
    void CopyHostToDeviceAsync(ulong destination, nint source, long bytes, IDeviceStream stream);

    /// <summary>Copies device memory to host memory, waiting for the copy (and for the legacy default stream).</summary>
    void CopyDeviceToHost(nint destination, ulong source, long bytes);

    /// <summary>Enqueues a copy of device memory to host memory on <paramref name="stream"/> (checks: a read in a consumer's stream order).</summary>
    void CopyDeviceToHostAsync(nint destination, ulong source, long bytes, IDeviceStream stream);

    /// <summary>Records <paramref name="deviceEvent"/> at the current end of <paramref name="stream"/>.</summary>
    void Record(IDeviceEvent deviceEvent, IDeviceStream stream);

    /// <summary>Makes <paramref name="stream"/> wait, on the device, for the most recent record of <paramref name="deviceEvent"/>.</summary>
    void Wait(IDeviceStream stream, IDeviceEvent deviceEvent);

    /// <summary>Returns whether the event's most recent record has completed, throwing the error of a failed stream.</summary>
    bool Query(IDeviceEvent deviceEvent);

    /// <summary>Blocks the calling thread until the event's most recent record has completed.</summary>
    void Synchronize(IDeviceEvent deviceEvent);

    /// <summary>Blocks the calling thread until all work issued on <paramref name="stream"/> has completed.</summary>
    void Synchronize(IDeviceStream stream);

    /// <summary>Enqueues host code that runs in stream order and holds the stream while it runs (simulated device work).</summary>
    void LaunchHostWork(IDeviceStream stream, Action work);
}
