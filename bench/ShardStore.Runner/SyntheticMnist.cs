using ShardStore.Codecs;

namespace ShardStore.Runner;

/// <summary>Generates MNIST-like samples: mostly-zero 28x28 images with quantized intensities, and a label 0..9.</summary>
internal static class SyntheticMnist
{
    public const int BytesPerSample = (784 * sizeof(float)) + sizeof(long);

    public static Schema Schema { get; } = new(FieldSpec.Fixed("image", DType.F32, 784), FieldSpec.Fixed("label", DType.I64));

    /// <summary>Packs the samples and returns the sum of their labels, to check the read-back.</summary>
    public static long Pack(string path, RunnerOptions options)
    {
        using DatasetWriter writer = DatasetWriter.Create(path, Schema, new DatasetWriterOptions
        {
            Codec = options.Codec,
            Codecs = NativeCodecs.Provider,
            Threads = options.Threads,
            ChunkTargetBytes = options.ChunkBytes,
            Overwrite = true,
        });
        float[] image = new float[784];
        ulong state = 0x9E3779B97F4A7C15;
        long labelSum = 0;
        for (long i = 0; i < options.Samples; i++)
        {
            long label = (long)(Next(ref state) % 10);
            FillImage(image, label, ref state);
            writer.Write<float>(0, image);
            writer.WriteScalar(1, label);
            writer.EndSample();
            labelSum += label;
        }

        writer.Complete();
        return labelSum;
    }

    /// <summary>Opens a packed dataset the way a training job would: checksums verified on first touch.</summary>
    public static ShardDataset Open(string path) => ShardDataset.Open(path, new ShardDatasetOptions
    {
        Codecs = NativeCodecs.Provider,
        Checksums = ChecksumPolicy.FirstTouch,
    });

    // A blob of ink whose position depends on the label, with noisy quantized intensities, on a zero background.
    private static void FillImage(float[] image, long label, ref ulong state)
    {
        Array.Clear(image);
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
    }

    private static ulong Next(ref ulong state)
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
}
