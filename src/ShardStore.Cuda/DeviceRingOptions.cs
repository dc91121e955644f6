namespace ShardStore.Cuda;

/// <summary>Options of a <see cref="DeviceRing"/>.</summary>
public sealed record DeviceRingOptions
{
    /// <summary>Gets the device kind: <see cref="DeviceKind.Auto"/> (default) takes the GPU when there is one.</summary>
    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    /// <summary>Gets the CUDA device ordinal (the N of cuda:N); default 0.</summary>
    public int DeviceOrdinal { get; init; }

    /// <summary>Gets the number of device slots, at least 2 (default 2: double buffering, one batch trained on while the next lands).</summary>
    public int SlotCount { get; init; } = 2;

    /// <summary>
    /// Gets the device memory the ring may allocate, in bytes (default 1 GiB); like a per-process GPU memory limit, it
    /// lets several trainings share one GPU. <see cref="DeviceRing.Create"/> fails when the slots do not fit, and a
    /// variable-length field that outgrows its slot fails the ring rather than allocate past it. Caller-owned slots
    /// (<see cref="CallerSlots"/>) do not count.
    /// </summary>
    public long MemoryBudgetBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Gets the initial device capacity of each variable-length field per slot, in bytes; null (default) takes the
    /// loader's host slot capacity. A field grows (within the budget) when a batch needs more.
    /// </summary>
    public long? VariableFieldBytes { get; init; }

    /// <summary>
    /// Gets caller-owned device memory to copy into, one <see cref="DeviceSlotMemory"/> per slot (<see cref="SlotCount"/>
    /// of them), or null (default) for memory the ring allocates. The caller keeps the memory valid until the ring and
    /// every batch from it are disposed.
    /// </summary>
    public IReadOnlyList<DeviceSlotMemory>? CallerSlots { get; init; }
}
