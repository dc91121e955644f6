using ShardStore.Compression;

namespace ShardStore.Benchmarks.Infrastructure;

/// <summary>
/// Writes an uncompressed dataset of one variable-length byte field: <see cref="SampleCount"/> blobs of uniformly
/// random length 1 to 64 KiB, ~64 MiB in all.
/// </summary>
/// <remarks>
/// Lengths are drawn in pairs that add up to <see cref="PairBytes"/> and then shuffled, so each length is uniform
/// on 1..65536 while the total is a constant (<see cref="BlobBytes"/>) that a throughput column can use without
/// running the generator.
/// </remarks>
internal static class VariableBlobDataset
{
    /// <summary>Samples written.</summary>
    public const int SampleCount = 2048;

    /// <summary>The longest blob.</summary>
    public const int MaxBlobBytes = 64 << 10;

    /// <summary>What the two lengths of each pair add up to.</summary>
    public const int PairBytes = MaxBlobBytes + 1;

    /// <summary>Value bytes of all blobs together.</summary>
    public const long BlobBytes = (long)SampleCount / 2 * PairBytes;

    /// <summary>The target raw chunk size the dataset is written with (the default).</summary>
    public const int ChunkTargetBytes = 4 << 20;

    public static Schema Schema { get; } = new(FieldSpec.Bytes("blob"));

    /// <summary>Returns each sample's blob length, the same every time.</summary>
    public static int[] Lengths()
    {
        var random = new Random(20261121);
        int[] lengths = new int[SampleCount];
        for (int i = 0; i < SampleCount; i += 2)
        {
            lengths[i] = random.Next(1, MaxBlobBytes + 1);
            lengths[i + 1] = PairBytes - lengths[i];
        }

        random.Shuffle(lengths);
        return lengths;
    }

    /// <summary>Writes the dataset to <paramref name="directory"/>, uncompressed; the same bytes every time.</summary>
    public static void Write(string directory)
    {
        var options = new DatasetWriterOptions { ChunkTargetBytes = ChunkTargetBytes, Codec = CodecKind.None };
        var random = new Random(11);
        byte[] pool = new byte[2 * MaxBlobBytes];
        random.NextBytes(pool);
        using DatasetWriter writer = DatasetWriter.Create(directory, Schema, options);
        foreach (int length in Lengths())
        {
            writer.Write<byte>(0, pool.AsSpan(random.Next(MaxBlobBytes), length));
            writer.EndSample();
        }

        writer.Complete();
    }
}
