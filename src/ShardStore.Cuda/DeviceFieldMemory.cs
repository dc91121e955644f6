namespace ShardStore.Cuda;

/// <summary>Caller-owned device memory for one field of one ring slot (for example a framework tensor's storage).</summary>
/// <param name="Values">Device address the field's values are copied to.</param>
/// <param name="ValuesCapacity">Bytes available at <paramref name="Values"/>: at least BatchSize x bytes per sample for a fixed field.</param>
/// <param name="Offsets">Variable field: device address for Count + 1 int64 offsets; 0 for a fixed field.</param>
/// <param name="OffsetsCapacity">Variable field: bytes available at <paramref name="Offsets"/>, at least (BatchSize + 1) x 8.</param>
public readonly record struct DeviceFieldMemory(ulong Values, long ValuesCapacity, ulong Offsets = 0, long OffsetsCapacity = 0);
