namespace ShardStore.Cuda;

/// <summary>Which device a <see cref="DeviceRing"/> copies batches to.</summary>
public enum DeviceKind
{
    /// <summary>A CUDA GPU when one is available (<see cref="CudaDevice.IsAvailable"/>), the host emulation otherwise.</summary>
    Auto = 0,

    /// <summary>A CUDA GPU through the driver API; creating a ring fails when none is available.</summary>
    Cuda = 1,

    /// <summary>
    /// Host memory standing in for a device, with emulated streams and events (the same ordering rules), for
    /// machines without a GPU and for tests; device pointers are host addresses.
    /// </summary>
    Host = 2,
}
