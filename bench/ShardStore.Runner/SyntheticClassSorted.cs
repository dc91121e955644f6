namespace ShardStore.Runner;

/// <summary>
/// Samples packed class after class, as an image folder packed without shuffling: <see cref="Classes"/> classes of
/// <see cref="PerClass"/> samples, each a 16 KiB image (a class-dependent pattern, half the bytes noise, the rest
/// zero, so lz4 has work to do) and an int64 label, the class.
/// </summary>
internal sealed class SyntheticClassSorted(int classes, int perClass) : SyntheticDataset
{
    public const int ImageBytes = (16 * 1024) - sizeof(long);

    // The index of the next sample WriteNext writes (one pack at a time).
    private long _next;

    public int Classes { get; } = classes;

    public int PerClass { get; } = perClass;

    public long Samples => (long)Classes * PerClass;

    public override string Name => "class-sorted";

    public override string Description => $"{Classes} classes x {PerClass} samples of 16 KiB, in class order";

    public override Schema Schema { get; } = new(FieldSpec.Fixed("image", DType.U8, ImageBytes), FieldSpec.Fixed("label", DType.I64));

    public override long BytesPerSample => ImageBytes + sizeof(long);

    protected override int MaxBytesPerSample => ImageBytes;

    /// <summary>Packs every sample in class order; returns the label sum.</summary>
    public long Pack(string path, Compression.CodecKind codec, int threads, CancellationToken cancellationToken)
    {
        _next = 0;
        return Pack(path, Samples, codec, threads, 4 << 20, cancellationToken);
    }

    protected override long WriteNext(DatasetWriter writer, byte[] scratch, ref ulong state)
    {
        long label = _next++ / PerClass;
        Span<byte> image = scratch.AsSpan(0, ImageBytes);
        for (int i = 0; i < image.Length; i += 8)
        {
            ulong noise = Next(ref state);
            for (int k = 0; k < 8 && i + k < image.Length; k++)
            {
                image[i + k] = ((i >> 6) + label) % 2 == 0 ? (byte)(noise >> (8 * k)) : (byte)0;
            }
        }

        writer.Write<byte>(0, image);
        writer.WriteScalar(1, label);
        return label;
    }
}
