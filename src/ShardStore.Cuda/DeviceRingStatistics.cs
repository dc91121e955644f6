namespace ShardStore.Cuda;

/// <summary>A snapshot of a <see cref="DeviceRing"/>'s counters.</summary>
/// <param name="Batches">Batches whose copies were issued.</param>
/// <param name="Bytes">Bytes copied to the device (values and offsets).</param>
/// <param name="ConsumerWait">Time the consumer's thread blocked: in <see cref="DeviceRing.Next"/> waiting for a batch, and in <see cref="DeviceBatch.Synchronize"/>.</param>
/// <param name="DeviceBytesAllocated">Device memory the ring holds now (caller-owned slots excluded).</param>
/// <param name="MemoryBudgetBytes">The ring's device memory budget.</param>
public sealed record DeviceRingStatistics(long Batches, long Bytes, TimeSpan ConsumerWait, long DeviceBytesAllocated, long MemoryBudgetBytes)
{
    /// <summary>
    /// Gets how many times the driver refused to page-lock a loader buffer because the range was already registered
    /// (CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED, by another owner in the process); the ring tries again when the
    /// loader replaces the buffer. Copies from such a buffer are only as asynchronous as that owner's registration makes them.
    /// </summary>
    public long HostRegistrationsRefused { get; init; }
}
