using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardStore.Benchmarks.Infrastructure;

/// <summary>
/// Writes an MNIST-shaped dataset (784 float32 features + an int64 label per sample) that lz4 compresses
/// about 3.5x: a zero margin, pen strokes in 8-bit grey levels, and faint scan noise inside the digit box.
/// </summary>
/// <remarks>
/// The sample count is a whole number of full chunks, so every chunk has the same raw size and a decode
/// buffer released by one chunk is reused for the next (see the benchmark's setup checks).
/// </remarks>
internal static class MnistLikeDataset
{
    /// <summary>Features per sample (a 28 x 28 image).</summary>
    public const int Features = 784;

    /// <summary>The target raw chunk size the dataset is written with.</summary>
    public const int ChunkTargetBytes = 4 << 20;

    /// <summary>
    /// The most samples whose raw chunk fits <see cref="ChunkTargetBytes"/>: 1334 x 3136 feature bytes (already a
    /// multiple of the 64-byte section alignment) + 1334 x 8 label bytes = 4,194,096 bytes; one more sample overflows.
    /// </summary>
    public const int SamplesPerChunk = 1334;

    /// <summary>Chunks written: 16 x 4 MiB is the ~64 MiB raw the benchmark decodes per invocation.</summary>
    public const int ChunkCount = 16;

    /// <summary>Samples written.</summary>
    public const int SampleCount = SamplesPerChunk * ChunkCount;

    /// <summary>Raw bytes of each chunk: the feature section, padded to 64 bytes, then the label section.</summary>
    public const long ChunkRawBytes = ((((long)SamplesPerChunk * Features * sizeof(float)) + 63) & ~63L) + ((long)SamplesPerChunk * sizeof(long));

    /// <summary>Raw bytes of the whole dataset, which each decode benchmark produces once per invocation; equal to the sample bytes (no padding).</summary>
    public const long RawBytes = ChunkRawBytes * ChunkCount;

    private const int Side = 28;
    private const int GreyLevels = 255;
    private const int FaintLevels = 64;
    private const int NoisePercent = 50;

    public static Schema Schema { get; } = new(
        FieldSpec.Fixed("features", DType.F32, Features),
        FieldSpec.Fixed("label", DType.I64));

    /// <summary>Writes the dataset to <paramref name="directory"/> with <paramref name="codec"/> at its default level; the same bytes every time.</summary>
    public static void Write(string directory, CodecKind codec)
    {
        var options = new DatasetWriterOptions
        {
            ChunkTargetBytes = ChunkTargetBytes,
            Codec = codec,
            Codecs = NativeCodecs.Provider,
        };

        var random = new Random(20261121);
        float[] image = new float[Features];
        using DatasetWriter writer = DatasetWriter.Create(directory, Schema, options);
        for (int i = 0; i < SampleCount; i++)
        {
            int label = random.Next(10);
            DrawDigit(random, image);
            writer.Write<float>(0, image);
            writer.WriteScalar(1, (long)label);
            writer.EndSample();
        }

        writer.Complete();
    }

    // Pen strokes three pixels wide in the central 20 x 20 box, like a handwritten digit after MNIST's size
    // normalisation (a saturated core with anti-aliased edges in 8-bit grey levels), over faint scan noise on
    // about half the box's pixels; most of the margin stays zero. lz4 compresses this about 3.5x.
    private static void DrawDigit(Random random, float[] image)
    {
        Array.Clear(image);
        int strokes = random.Next(5, 9);
        for (int s = 0; s < strokes; s++)
        {
            int row = random.Next(4, 24);
            int column = random.Next(5, 23);
            int rowStep = random.Next(-1, 2);
            int columnStep = random.Next(-1, 2);
            int length = random.Next(10, 18);
            for (int k = 0; k < length && row is >= 1 and < Side - 1 && column is >= 1 and < Side - 1; k++)
            {
                Ink(image, row, column, 1f);
                Ink(image, row, column - 1, random.Next(1, GreyLevels + 1) / (float)GreyLevels);
                Ink(image, row, column + 1, random.Next(1, GreyLevels + 1) / (float)GreyLevels);
                Ink(image, row + 1, column, random.Next(1, GreyLevels + 1) / (float)GreyLevels);
                row += rowStep;
                column += columnStep;
                if (random.Next(3) == 0)
                {
                    rowStep = random.Next(-1, 2);
                    columnStep = random.Next(-1, 2);
                }
            }
        }

        for (int row = 4; row < Side - 4; row++)
        {
            for (int column = 4; column < Side - 4; column++)
            {
                if (random.Next(100) < NoisePercent)
                {
                    Ink(image, row, column, random.Next(1, FaintLevels) / (float)GreyLevels);
                }
            }
        }
    }

    private static void Ink(float[] image, int row, int column, float value)
    {
        ref float pixel = ref image[(row * Side) + column];
        pixel = Math.Max(pixel, value);
    }
}
