namespace ShardStore.Cuda;

/// <summary>A snapshot of a <see cref="DeviceRing"/>'s counters.</summary>
/// <param name="Batches">Batches whose copies were issued.</param>
/// <param name="Bytes">Bytes copied to the device (values and offsets).</param>
/// <param name="ConsumerWait">Time the consumer's thread blocked: in <see cref="DeviceRing.Next"/> waiting for a batch, and in <see cref="DeviceBatch.Synchronize"/>.</param>
/// <param name="DeviceBytesAllocated">Device memory the ring holds now (caller-owned slots excluded).</param>
/// <param name="MemoryBudgetBytes">The ring's device memory budget.</param>
public sealed record DeviceRingStatistics(long Batches, long Bytes, TimeSpan ConsumerWait, long DeviceBytesAllocated, long MemoryBudgetBytes);
