namespace ShardStore.Internals.Loading;

/// <summary>Where one field of one sample lies in memory the loader keeps pinned (a slot, a chunk buffer, scratch).</summary>
internal readonly unsafe struct FieldBytes(byte* pointer, int length)
{
    public byte* Pointer { get; } = pointer;

    public int Length { get; } = length;

    public ReadOnlySpan<byte> AsSpan() => new(Pointer, Length);

    public Span<byte> AsWritableSpan() => new(Pointer, Length);
}
