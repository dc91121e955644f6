namespace ShardStore.Cuda;

/// <summary>Caller-owned device memory for one slot of a <see cref="DeviceRing"/>: one <see cref="DeviceFieldMemory"/> per schema field, in schema order.</summary>
/// <param name="fields">The fields' buffers, in schema order.</param>
public sealed class DeviceSlotMemory(params DeviceFieldMemory[] fields)
{
    /// <summary>Gets the fields' buffers, in schema order.</summary>
    public IReadOnlyList<DeviceFieldMemory> Fields { get; } = (DeviceFieldMemory[])fields.Clone();
}
