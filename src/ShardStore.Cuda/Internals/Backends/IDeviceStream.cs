namespace ShardStore.Cuda.Internals.Backends;

/// <summary>A stream of one <see cref="IDeviceBackend"/>: an ordered queue of device work.</summary>
internal interface IDeviceStream : IDisposable
{
    /// <summary>Gets the native handle (a CUstream), or zero for an emulated stream.</summary>
    nint Handle { get; }
}
