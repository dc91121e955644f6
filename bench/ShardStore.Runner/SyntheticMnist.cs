using System.Runtime.InteropServices;

namespace ShardStore.Runner;

/// <summary>Generates MNIST-like samples: mostly-zero 28x28 images with quantized intensities, and a label 0..9.</summary>
internal sealed class SyntheticMnist : SyntheticDataset
{
    public const int Pixels = 784;

    public const int ImageBytes = Pixels * sizeof(float);

    public const int SampleBytes = ImageBytes + sizeof(long);

    private SyntheticMnist()
    {
    }

    public static SyntheticMnist Instance { get; } = new();

    public override string Name => "mnist";

    public override string Description => "784 float32 + int64 label";

    public override Schema Schema { get; } = new(FieldSpec.Fixed("image", DType.F32, Pixels), FieldSpec.Fixed("label", DType.I64));

    public override long BytesPerSample => SampleBytes;

    protected override int MaxBytesPerSample => ImageBytes;

    /// <summary>Fills the next image of the sequence that <see cref="SyntheticDataset.Pack(string, long, Compression.CodecKind, int, int, CancellationToken)"/> writes and returns its label.</summary>
    public static long Generate(Span<float> image, ref ulong state)
    {
        long label = (long)(Next(ref state) % 10);

        // A blob of ink whose position depends on the label, with noisy quantized intensities, on a zero background.
        image.Clear();
        int cx = 10 + (int)(label % 4 * 2), cy = 10 + (int)(label / 4 * 3);
        for (int y = cy - 8; y <= cy + 8; y++)
        {
            for (int x = cx - 7; x <= cx + 7; x++)
            {
                if ((Next(ref state) & 7) != 0)
                {
                    image[(y * 28) + x] = (Next(ref state) & 255) / 255f;
                }
            }
        }

        return label;
    }

    protected override long WriteNext(DatasetWriter writer, byte[] scratch, ref ulong state)
    {
        Span<float> image = MemoryMarshal.Cast<byte, float>(scratch.AsSpan(0, ImageBytes));
        long label = Generate(image, ref state);
        writer.Write<float>(0, image);
        writer.WriteScalar(1, label);
        return label;
    }
}
