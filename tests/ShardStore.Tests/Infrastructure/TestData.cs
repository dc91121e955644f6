using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardStore.Tests.Infrastructure;

/// <summary>Deterministic sample generators and writer helpers shared by the reader and writer tests.</summary>
internal static class TestData
{
    /// <summary>Schema: a 4x3 f32 tensor, an i64 label, and a variable-length i32 token list.</summary>
    public static Schema MixedSchema { get; } = new(
        FieldSpec.Fixed("x", DType.F32, 4, 3),
        FieldSpec.Fixed("label", DType.I64),
        FieldSpec.Variable("tokens", DType.I32));

    public static float[] Features(long sample) => [.. Enumerable.Range(0, 12).Select(i => (sample * 12) + i + 0.5f)];

    public static int[] Tokens(long sample) => [.. Enumerable.Range(0, (int)(sample % 7)).Select(i => (int)(sample * 100) + i)];

    public static DatasetWriterOptions Options(CodecKind codec = CodecKind.None, int chunkBytes = 1024, long shardBytes = 64 << 10, int threads = 2, string? identity = null) => new()
    {
        Identity = identity,
        Codec = codec,
        Codecs = NativeCodecs.Provider,
        ChunkTargetBytes = chunkBytes,
        ShardTargetBytes = shardBytes,
        Threads = threads,
    };

    /// <summary>Writes <paramref name="count"/> samples of <see cref="MixedSchema"/>.</summary>
    public static void WriteMixed(string directory, long count, DatasetWriterOptions options)
    {
        using DatasetWriter writer = DatasetWriter.Create(directory, MixedSchema, options);
        WriteMixedSamples(writer, 0, count);
        writer.Complete();
    }

    /// <summary>Writes samples <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive) of <see cref="MixedSchema"/>, leaving the writer open.</summary>
    public static void WriteMixedSamples(DatasetWriter writer, long from, long to)
    {
        for (long i = from; i < to; i++)
        {
            writer.Write<float>(0, Features(i));
            writer.WriteScalar(1, i * 3);
            writer.Write<int>(2, Tokens(i));
            writer.EndSample();
        }
    }

    public static ShardDatasetOptions ReadOptions(ChecksumPolicy checksums = ChecksumPolicy.Always, long budget = 64 << 20) => new()
    {
        Codecs = NativeCodecs.Provider,
        Checksums = checksums,
        DecodeBudgetBytes = budget,
    };

    /// <summary>Asserts that the dataset in <paramref name="directory"/> verifies clean and holds exactly samples 0 to <paramref name="count"/> - 1 of <see cref="WriteMixedSamples"/>.</summary>
    public static void AssertMixedDataset(string directory, long count)
    {
        using ShardDataset ds = ShardDataset.Open(directory, ReadOptions());
        Assert.AreEqual(count, ds.SampleCount);
        Assert.IsEmpty(ds.Verify());
        for (long i = 0; i < count; i++)
        {
            using SampleLease s = ds.ReadSample(i);
            AssertMixedSample(s, i);
        }
    }

    /// <summary>Asserts that sample <paramref name="i"/> of a <see cref="MixedSchema"/> dataset holds the generated values.</summary>
    public static void AssertMixedSample(SampleLease sample, long i)
    {
        CollectionAssert.AreEqual(Features(i), sample.Get<float>(0).ToArray(), $"x of sample {i}");
        Assert.AreEqual(i * 3, sample.Get<long>(1)[0], $"label of sample {i}");
        CollectionAssert.AreEqual(Tokens(i), sample.Get<int>(2).ToArray(), $"tokens of sample {i}");
    }
}
