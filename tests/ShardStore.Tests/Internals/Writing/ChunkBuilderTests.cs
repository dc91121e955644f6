using System.Buffers;
using CommunityToolkit.HighPerformance.Buffers;
using ShardStore.Format;
using ShardStore.Internals.Writing;

namespace ShardStore.Tests.Internals.Writing;

/// <summary>Laying fixed-shape samples out in place gives exactly the chunks that staging them per field gives.</summary>
[TestClass]
public sealed class ChunkBuilderTests
{
    private static readonly Schema s_fixedSchema = new(
        FieldSpec.Fixed("x", DType.F32, 3),
        FieldSpec.Fixed("flag", DType.U8),
        FieldSpec.Fixed("y", DType.I64, 2));

    [TestMethod]
    [DataRow(1, 7)]
    [DataRow(29, 50)]
    [DataRow(64, 50)]
    [DataRow(100, 333)]
    [DataRow(1000, 333)]
    [DataRow(4096, 1000)]
    [DataRow(1 << 20, 1000)]
    public void Seal_FixedFieldsInPlace_SameChunksAsStaged(int target, int samples)
    {
        DirtySharedPool();
        using ChunkBuilder direct = ChunkBuilder.Create(s_fixedSchema, target);
        using ChunkBuilder staged = ChunkBuilder.Create(s_fixedSchema, target, staged: true);
        Assert.IsGreaterThan(0, direct.SamplesPerChunk);
        Assert.AreEqual(0, staged.SamplesPerChunk);

        List<byte[]> expected = BuildStaged(staged, s_fixedSchema, target, samples);
        List<byte[]> actual = BuildDirect(direct, s_fixedSchema, samples, runs: null);

        AssertSameChunks(expected, actual, s_fixedSchema);
    }

    [TestMethod]
    [DataRow(1, 7)]
    [DataRow(100, 333)]
    [DataRow(4096, 1000)]
    public void Reserve_RunsOfSamples_SameChunksAsOneByOne(int target, int samples)
    {
        DirtySharedPool();
        using ChunkBuilder oneByOne = ChunkBuilder.Create(s_fixedSchema, target);
        using ChunkBuilder inRuns = ChunkBuilder.Create(s_fixedSchema, target);

        List<byte[]> expected = BuildDirect(oneByOne, s_fixedSchema, samples, runs: null);
        List<byte[]> actual = BuildDirect(inRuns, s_fixedSchema, samples, runs: new Random(samples));

        AssertSameChunks(expected, actual, s_fixedSchema);
    }

    [TestMethod]
    public void Seal_TargetFarAboveFirstLayout_GrowsAndMatchesStaged()
    {
        // Samples of just over 256 KiB: the first layout holds 15, a chunk 63, so the layout grows inside the first chunk.
        var schema = new Schema(FieldSpec.Fixed("blob", DType.U8, 256 << 10), FieldSpec.Fixed("id", DType.I32));
        const int Target = 16 << 20;
        using ChunkBuilder direct = ChunkBuilder.Create(schema, Target);
        using ChunkBuilder staged = ChunkBuilder.Create(schema, Target, staged: true);
        Assert.AreEqual(63, direct.SamplesPerChunk);

        AssertSameChunks(BuildStaged(staged, schema, Target, 100), BuildDirect(direct, schema, 100, runs: null), schema);
    }

    [TestMethod]
    public void Create_VariableField_Stages()
    {
        using ChunkBuilder builder = ChunkBuilder.Create(new Schema(FieldSpec.Fixed("id", DType.I32), FieldSpec.Bytes("blob")), 4096);

        Assert.AreEqual(0, builder.SamplesPerChunk);
        Assert.ThrowsExactly<NotSupportedException>(() => builder.Reserve(1));
    }

    [TestMethod]
    public void Reserve_MoreThanRestOfChunk_ReturnsRestOfChunk()
    {
        using ChunkBuilder builder = ChunkBuilder.Create(s_fixedSchema, 4096);
        int perChunk = builder.SamplesPerChunk;

        Assert.AreEqual(1, builder.Reserve(1));
        builder.CommitReserved(1);
        Assert.AreEqual(perChunk - 1, builder.Reserve(int.MaxValue));
    }

    // The pool hands out arrays with old contents; padding must still come out as zeros.
    private static void DirtySharedPool()
    {
        var rented = new List<byte[]>();
        for (int size = 64; size <= 1 << 21; size *= 2)
        {
            byte[] a = ArrayPool<byte>.Shared.Rent(size);
            a.AsSpan().Fill(0xCD);
            rented.Add(a);
        }

        foreach (byte[] a in rented)
        {
            ArrayPool<byte>.Shared.Return(a);
        }
    }

    private static void FillSample(Schema schema, int field, long sample, Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (byte)((sample * 31) + (field * 7) + i);
        }

        Assert.AreEqual(schema[field].BytesPerSample, destination.Length);
    }

    // The writer's rule for staged chunks: close before exceeding the target; a larger sample gets a chunk of its own.
    private static List<byte[]> BuildStaged(ChunkBuilder builder, Schema schema, int target, int samples)
    {
        var chunks = new List<byte[]>();
        for (long s = 0; s < samples; s++)
        {
            for (int f = 0; f < schema.Count; f++)
            {
                FillSample(schema, f, s, builder.AppendField(f, schema[f].BytesPerSample));
            }

            builder.CommitSample();
            if (builder.RawSize > target && builder.Count > 1)
            {
                chunks.Add(Seal(builder, builder.Count - 1));
            }

            if (builder.RawSize >= target)
            {
                chunks.Add(Seal(builder, builder.Count));
            }
        }

        if (builder.Count > 0)
        {
            chunks.Add(Seal(builder, builder.Count));
        }

        return chunks;
    }

    private static List<byte[]> BuildDirect(ChunkBuilder builder, Schema schema, int samples, Random? runs)
    {
        var chunks = new List<byte[]>();
        for (long s = 0; s < samples;)
        {
            if (runs is null)
            {
                for (int f = 0; f < schema.Count; f++)
                {
                    FillSample(schema, f, s, builder.AppendField(f, schema[f].BytesPerSample));
                }

                builder.CommitSample();
                s++;
            }
            else
            {
                int run = builder.Reserve((int)Math.Min(samples - s, runs.Next(1, 300)));
                for (int f = 0; f < schema.Count; f++)
                {
                    Span<byte> values = builder.GetReserved(f, run);
                    Assert.AreEqual(run * schema[f].BytesPerSample, values.Length);
                    for (int i = 0; i < run; i++)
                    {
                        FillSample(schema, f, s + i, values.Slice(i * schema[f].BytesPerSample, schema[f].BytesPerSample));
                    }
                }

                builder.CommitReserved(run);
                s += run;
            }

            if (builder.Count == builder.SamplesPerChunk)
            {
                chunks.Add(Seal(builder, builder.Count));
            }
        }

        if (builder.Count > 0)
        {
            chunks.Add(Seal(builder, builder.Count));
        }

        return chunks;
    }

    private static byte[] Seal(ChunkBuilder builder, int samples)
    {
        using MemoryOwner<byte> raw = builder.Seal(samples);
        return raw.Span.ToArray();
    }

    private static void AssertSameChunks(List<byte[]> expected, List<byte[]> actual, Schema schema)
    {
        Assert.HasCount(expected.Count, actual);
        var sections = new FieldSection[schema.Count];
        for (int c = 0; c < expected.Count; c++)
        {
            CollectionAssert.AreEqual(expected[c], actual[c], $"chunk {c}");
            int count = (int)(actual[c].Length / schema.Fields.Sum(f => (long)f.BytesPerSample));
            while (ChunkLayout.ComputeRawSize(schema, count, default) > actual[c].Length)
            {
                count--;
            }

            Assert.IsNull(ChunkLayout.TryParse(schema, count, actual[c], sections), $"chunk {c}");
        }
    }
}
