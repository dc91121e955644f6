namespace ShardStore.Cuda.Internals.Backends;

/// <summary>One allocation of device memory; disposing frees it.</summary>
internal interface IDeviceAllocation : IDisposable
{
    /// <summary>Gets the device address.</summary>
    ulong Pointer { get; }

    /// <summary>Gets the size in bytes.</summary>
    long Bytes { get; }
}
