namespace ShardStore.Runner;

/// <summary>
/// Generates image-like samples: an RGB byte image of 192 to 256 pixels a side (about 150 KB, variable length) and
/// a label 0..999. Pixels are smooth per-channel gradients with sparse small noise, so lz4 and zstd find some
/// redundancy, as in raw (undecoded) photographs, but far less than in the MNIST-like data.
/// </summary>
internal sealed class SyntheticImages : SyntheticDataset
{
    private const int MinSide = 192;
    private const int SideStep = 8;
    private const int SideSteps = 9;
    private const int MaxSide = MinSide + ((SideSteps - 1) * SideStep);
    private const int Channels = 3;
    private const int MeanSide = MinSide + ((SideSteps - 1) * SideStep / 2);

    // Noise per pixel, indexed by four random bits: a quarter of the pixels move by one or two levels.
    private static readonly int[] s_noise = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, -1, 2, -2];

    private SyntheticImages()
    {
    }

    public static SyntheticImages Instance { get; } = new();

    public override string Name => "image";

    public override string Description => "variable-length RGB bytes, about 150 KB, + int64 label";

    public override Schema Schema { get; } = new(FieldSpec.Bytes("image"), FieldSpec.Fixed("label", DType.I64));

    // The sides are independent and uniform, so the mean area is the square of the mean side.
    public override long BytesPerSample => ((long)MeanSide * MeanSide * Channels) + sizeof(long);

    protected override int MaxBytesPerSample => MaxSide * MaxSide * Channels;

    protected override long WriteNext(DatasetWriter writer, byte[] scratch, ref ulong state)
    {
        long label = (long)(Next(ref state) % 1000);
        int width = MinSide + ((int)(Next(ref state) % SideSteps) * SideStep);
        int height = MinSide + ((int)(Next(ref state) % SideSteps) * SideStep);

        // Per channel: a level and a slope along each axis, in 16.16 fixed point, up to half a level per pixel.
        Span<int> level = stackalloc int[Channels];
        Span<int> slopeX = stackalloc int[Channels];
        Span<int> slopeY = stackalloc int[Channels];
        for (int c = 0; c < Channels; c++)
        {
            ulong r = Next(ref state);
            level[c] = (int)(r & 255) << 16;
            slopeX[c] = (int)((r >> 8) & 0xFFFF) - 0x8000;
            slopeY[c] = (int)((r >> 24) & 0xFFFF) - 0x8000;
        }

        Span<byte> image = scratch.AsSpan(0, width * height * Channels);
        int at = 0;
        ulong bits = 0;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                if ((x & 15) == 0)
                {
                    bits = Next(ref state);
                }

                int noise = s_noise[(int)(bits & 15)];
                bits >>= 4;
                for (int c = 0; c < Channels; c++)
                {
                    // A triangle wave keeps the gradient inside 0..255 without long saturated runs.
                    int v = ((level[c] + (slopeX[c] * x) + (slopeY[c] * y)) >> 16) & 511;
                    v = (v > 255 ? 511 - v : v) + noise;
                    image[at++] = (byte)Math.Clamp(v, 0, 255);
                }
            }
        }

        writer.Write<byte>(0, image);
        writer.WriteScalar(1, label);
        return label;
    }
}
