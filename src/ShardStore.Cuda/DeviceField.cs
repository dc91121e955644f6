namespace ShardStore.Cuda;

/// <summary>Where one field of a <see cref="DeviceBatch"/> lies in device memory, and what it holds.</summary>
/// <param name="Name">The field's name.</param>
/// <param name="DType">The element type.</param>
/// <param name="IsVariable">Whether the field is variable-length (offsets plus values) rather than fixed-shape.</param>
/// <param name="Shape">
/// Fixed field: [Count, ...the field's shape], sample-major and contiguous. Variable field: [number of value elements]
/// of all samples concatenated.
/// </param>
/// <param name="Pointer">Device address of the values (a CUdeviceptr; a host address on the host device).</param>
/// <param name="ByteLength">Bytes of values at <paramref name="Pointer"/>.</param>
/// <param name="OffsetsPointer">Variable field: device address of Count + 1 int64 offsets, in elements, from 0; otherwise 0.</param>
/// <param name="OffsetsByteLength">Variable field: (Count + 1) * 8; otherwise 0.</param>
public readonly record struct DeviceField(
    string Name,
    DType DType,
    bool IsVariable,
    IReadOnlyList<int> Shape,
    ulong Pointer,
    long ByteLength,
    ulong OffsetsPointer,
    long OffsetsByteLength);
