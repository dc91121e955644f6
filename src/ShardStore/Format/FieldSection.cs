namespace ShardStore.Format;

/// <summary>Where one field's bytes lie inside a raw chunk.</summary>
/// <param name="DataOffset">Start of the values.</param>
/// <param name="DataLength">Length of the values in bytes.</param>
/// <param name="OffsetsOffset">Start of the (count + 1) little-endian u64 element offsets of a variable field; -1 for a fixed field.</param>
internal readonly record struct FieldSection(int DataOffset, int DataLength, int OffsetsOffset);
