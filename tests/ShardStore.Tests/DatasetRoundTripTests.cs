using System.Runtime.InteropServices;
using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

[TestClass]
public sealed class DatasetRoundTripTests
{
    private static readonly DType[] s_allDtypes = Enum.GetValues<DType>();

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Lz4HC)]
    [DataRow(CodecKind.Zstd)]
    public void ReadSample_EveryCodecAcrossShardsAndChunks_ReturnsWrittenValues(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 3000, TestData.Options(codec));

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.AreEqual(3000, ds.SampleCount);
        Assert.IsGreaterThan(1, ds.Shards.Count, "several shards");
        Assert.IsGreaterThan(ds.Shards.Count, ds.ChunkCount, "several chunks per shard");
        Assert.AreEqual(codec, ds.Codec);
        for (long i = 0; i < ds.SampleCount; i++)
        {
            using SampleLease s = ds.ReadSample(i);
            TestData.AssertMixedSample(s, i);
        }

        Assert.AreEqual(0, ds.LiveLeases);
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public void ReadChunk_EveryDtypeFixedAndVariable_ReturnsTypedValues(CodecKind codec)
    {
        var fields = new List<FieldSpec>();
        foreach (DType d in s_allDtypes)
        {
            fields.Add(FieldSpec.Fixed("fixed_" + DTypeInfo.GetName(d), d, 2, 3));
            fields.Add(FieldSpec.Variable("var_" + DTypeInfo.GetName(d), d));
        }

        var schema = new Schema(fields);
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        const int Samples = 500;
        using (DatasetWriter w = DatasetWriter.Create(path, schema, TestData.Options(codec, chunkBytes: 16 << 10)))
        {
            for (int i = 0; i < Samples; i++)
            {
                for (int f = 0; f < schema.Count; f++)
                {
                    w.Write<byte>(f, ValueBytes(schema[f], i));
                }

                w.EndSample();
            }

            w.Complete();
        }

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.AreEqual(schema, ds.Schema);
        for (long i = 0; i < Samples; i++)
        {
            using SampleLease s = ds.ReadSample(i);
            for (int f = 0; f < schema.Count; f++)
            {
                byte[] expected = ValueBytes(schema[f], (int)i);
                CollectionAssert.AreEqual(expected, TypedBytes(s, f, schema[f].DType), $"sample {i} field {schema[f].Name}");
            }
        }
    }

    [TestMethod]
    public void GetFixed_TypedViews_MatchIeeeAndIntegerValues()
    {
        var schema = new Schema(
            FieldSpec.Fixed("h", DType.F16, 2),
            FieldSpec.Fixed("d", DType.F64),
            FieldSpec.Fixed("s", DType.I8, 3),
            FieldSpec.Fixed("u", DType.U64));
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        using (DatasetWriter w = DatasetWriter.Create(path, schema, TestData.Options()))
        {
            w.Write<Half>(0, [(Half)1.5f, (Half)(-2f)]);
            w.WriteScalar(1, Math.PI);
            w.Write<sbyte>(2, [-128, 0, 127]);
            w.WriteScalar(3, ulong.MaxValue);
            w.EndSample();
            w.Complete();
        }

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using ChunkLease c = ds.ReadChunk(0, 0);
        CollectionAssert.AreEqual(new[] { (Half)1.5f, (Half)(-2f) }, c.GetFixed<Half>(0).ToArray());
        Assert.AreEqual(Math.PI, c.GetFixed<double>(1)[0]);
        CollectionAssert.AreEqual(new sbyte[] { -128, 0, 127 }, c.GetFixed<sbyte>(2).ToArray());
        Assert.AreEqual(ulong.MaxValue, c.GetFixed<ulong>(3)[0]);
        Assert.ThrowsExactly<ArgumentException>(() => c.GetFixed<float>(1));
        Assert.ThrowsExactly<ArgumentException>(() => c.GetVariable<double>(1));
    }

    [TestMethod]
    public void Open_ChunkTableLargerThanOneTailRead_ReadsEveryChunk()
    {
        // One sample per chunk, every chunk on its own 4 KiB page (left as a hole), so one shard's table outgrows the
        // bytes open reads with the footer and is read on its own.
        const int Chunks = (ShardStore.Internals.Reading.ShardFile.MaxTailReadBytes / ShardStore.Format.FormatConstants.ChunkEntrySize) + 100;
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        var options = new DatasetWriterOptions { ChunkTargetBytes = sizeof(long), ShardTargetBytes = 1L << 40, FlushToDisk = static _ => { } };
        using (DatasetWriter w = DatasetWriter.Create(path, new Schema(FieldSpec.Fixed("id", DType.I64)), options))
        {
            for (long i = 0; i < Chunks; i++)
            {
                w.WriteScalar(0, i * 5);
                w.EndSample();
            }

            w.Complete();
        }

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.HasCount(1, ds.Shards);
        Assert.AreEqual(Chunks, ds.GetChunkCount(0));
        foreach (long i in new long[] { 0, 1, Chunks / 2, Chunks - 1 })
        {
            Assert.AreEqual((0, (int)i, 0), ds.Locate(i));
            using SampleLease sample = ds.ReadSample(i);
            Assert.AreEqual(i * 5, sample.Get<long>(0)[0]);
        }

        Assert.IsEmpty(ds.Verify());
    }

    [TestMethod]
    public void ReadChunk_AllChunks_CoverSamplesContiguouslyAndLocateAgrees()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 2000, TestData.Options(CodecKind.Lz4, chunkBytes: 2048, shardBytes: 32 << 10));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());

        long expectedFirst = 0;
        for (int s = 0; s < ds.Shards.Count; s++)
        {
            Assert.AreEqual(expectedFirst, ds.Shards[s].FirstSample);
            for (int c = 0; c < ds.GetChunkCount(s); c++)
            {
                using ChunkLease lease = ds.ReadChunk(s, c);
                Assert.AreEqual(expectedFirst, lease.FirstSample);
                Assert.AreEqual((s, c, 0), ds.Locate(lease.FirstSample));
                Assert.AreEqual((s, c, lease.SampleCount - 1), ds.Locate(lease.FirstSample + lease.SampleCount - 1));
                VariableFieldView<int> tokens = lease.GetVariable<int>(2);
                Assert.AreEqual(lease.SampleCount, tokens.Count);
                for (int i = 0; i < lease.SampleCount; i++)
                {
                    CollectionAssert.AreEqual(TestData.Tokens(lease.FirstSample + i), tokens[i].ToArray());
                }

                expectedFirst += lease.SampleCount;
            }
        }

        Assert.AreEqual(expectedFirst, ds.SampleCount);
    }

    [TestMethod]
    public void ReadSample_RandomOrderAcrossBoundaries_ReturnsWrittenValues()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 1500, TestData.Options(CodecKind.Zstd, chunkBytes: 1500, shardBytes: 20 << 10));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions(budget: 256 << 10));
        var random = new Random(42);
        for (int n = 0; n < 3000; n++)
        {
            long i = random.NextInt64(ds.SampleCount);
            using SampleLease s = ds.ReadSample(i);
            Assert.AreEqual(i, s.Index);
            TestData.AssertMixedSample(s, i);
            Assert.IsLessThanOrEqualTo(256L << 10, ds.DecodeBytesAllocated);
        }
    }

    [TestMethod]
    public void GetFixed2D_ReturnsSamplesByFeatures()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 40, TestData.Options());
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using ChunkLease c = ds.ReadChunk(0, 0);
        CommunityToolkit.HighPerformance.ReadOnlySpan2D<float> x = c.GetFixed2D<float>(0);
        Assert.AreEqual(c.SampleCount, x.Height);
        Assert.AreEqual(12, x.Width);
        Assert.AreEqual(TestData.Features(c.FirstSample + 1)[5], x[1, 5]);
    }

    [TestMethod]
    public void Open_EmptyDataset_HasNoSamplesAndNoShards()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 0, TestData.Options(CodecKind.Lz4));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.AreEqual(0, ds.SampleCount);
        Assert.IsEmpty(ds.Shards);
        Assert.AreEqual(0, ds.ChunkCount);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ds.ReadSample(0));
    }

    [TestMethod]
    public void Open_SingleSample_OneShardOneChunk()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 1, TestData.Options(CodecKind.Zstd));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.AreEqual(1, ds.SampleCount);
        Assert.HasCount(1, ds.Shards);
        Assert.AreEqual(1, ds.ChunkCount);
        using SampleLease s = ds.ReadSample(0);
        TestData.AssertMixedSample(s, 0);
    }

    [TestMethod]
    public void Write_SampleLargerThanChunkTarget_GetsChunkOfItsOwn()
    {
        var schema = new Schema(FieldSpec.Fixed("id", DType.I32), FieldSpec.Bytes("blob"));
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        const int Target = 4096;
        int[] sizes = [100, 200, 50, 20_000, 10, 30, 9000, 9000, 5];
        using (DatasetWriter w = DatasetWriter.Create(path, schema, TestData.Options(CodecKind.Lz4, chunkBytes: Target)))
        {
            for (int i = 0; i < sizes.Length; i++)
            {
                w.WriteScalar(0, i);
                w.Write<byte>(1, Blob(i, sizes[i]));
                w.EndSample();
            }

            w.Complete();
        }

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        var chunkOfSample = new List<(int Chunk, int Count, int RawLength)>();
        for (int i = 0; i < sizes.Length; i++)
        {
            using SampleLease s = ds.ReadSample(i);
            Assert.AreEqual(i, s.Get<int>(0)[0]);
            CollectionAssert.AreEqual(Blob(i, sizes[i]), s.Get<byte>(1).ToArray());
            using ChunkLease c = ds.ReadChunk(s.Shard, s.Chunk);
            chunkOfSample.Add((c.Chunk, c.SampleCount, c.RawBytes.Length));
            if (sizes[i] > Target)
            {
                Assert.AreEqual(1, c.SampleCount, $"sample {i} of {sizes[i]} bytes shares its chunk");
            }
            else
            {
                Assert.IsLessThanOrEqualTo(Target, c.RawBytes.Length, $"chunk of sample {i} exceeds the target");
            }
        }

        Assert.AreEqual(sizes.Length, chunkOfSample.Count);
    }

    [TestMethod]
    public void Write_VariableFieldWithEmptyValues_RoundTrips()
    {
        var schema = new Schema(FieldSpec.Bytes("b"), FieldSpec.Variable("t", DType.U16));
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        using (DatasetWriter w = DatasetWriter.Create(path, schema, TestData.Options(CodecKind.Lz4)))
        {
            for (int i = 0; i < 100; i++)
            {
                w.Write<byte>(0, i % 3 == 0 ? [] : Blob(i, i));
                w.Write<ushort>(1, i % 5 == 0 ? [] : [(ushort)i, (ushort)(i + 1)]);
                w.EndSample();
            }

            w.Complete();
        }

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        for (int i = 0; i < 100; i++)
        {
            using SampleLease s = ds.ReadSample(i);
            Assert.AreEqual(i % 3 == 0 ? 0 : i, s.Get<byte>(0).Length);
            CollectionAssert.AreEqual(i % 5 == 0 ? Array.Empty<ushort>() : new[] { (ushort)i, (ushort)(i + 1) }, s.Get<ushort>(1).ToArray());
        }
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public void Write_SameInputDifferentThreadCounts_ByteIdenticalFiles(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string a = dir.Combine("a"), b = dir.Combine("b");
        const string Identity = "00112233445566778899aabbccddeeff";
        TestData.WriteMixed(a, 2500, TestData.Options(codec, chunkBytes: 2048, shardBytes: 40 << 10, threads: 1, identity: Identity));
        TestData.WriteMixed(b, 2500, TestData.Options(codec, chunkBytes: 2048, shardBytes: 40 << 10, threads: 4, identity: Identity));
        string[] filesA = [.. Directory.GetFiles(a).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        string[] filesB = [.. Directory.GetFiles(b).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        CollectionAssert.AreEqual(filesA, filesB);
        Assert.IsGreaterThan(2, filesA.Length);
        foreach (string f in filesA)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)), f);
        }

        using ShardDataset dsA = ShardDataset.Open(a, TestData.ReadOptions());
        using ShardDataset dsB = ShardDataset.Open(b, TestData.ReadOptions());
        Assert.AreEqual(dsA.Fingerprint, dsB.Fingerprint);
    }

    [TestMethod]
    public void Open_TenThousandShards_ReadsFirstAndLastSample()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        var schema = new Schema(FieldSpec.Fixed("v", DType.I64));
        using (DatasetWriter w = DatasetWriter.Create(path, schema, new DatasetWriterOptions { ChunkTargetBytes = 8, ShardTargetBytes = 1 }))
        {
            for (long i = 0; i < 10_000; i++)
            {
                w.WriteScalar(0, i * 7);
                w.EndSample();
            }

            w.Complete();
        }

        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { MaxMappedShards = 64 });
        Assert.HasCount(10_000, ds.Shards);
        foreach (long i in (long[])[0, 1, 5000, 9_999, 0])
        {
            using SampleLease s = ds.ReadSample(i);
            Assert.AreEqual(i * 7, s.Get<long>(0)[0]);
        }
    }

    [TestMethod]
    public void Metadata_RoundTripsThroughManifest()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        var options = new DatasetWriterOptions { Metadata = new Dictionary<string, string> { ["source"] = "unit test", ["b"] = "2" } };
        TestData.WriteMixed(path, 3, options);
        using ShardDataset ds = ShardDataset.Open(path);
        Assert.AreEqual("unit test", ds.Metadata["source"]);
        Assert.AreEqual("2", ds.Metadata["b"]);
        Assert.StartsWith("ShardStore ", ds.Creator);
    }

    private static byte[] Blob(int seed, int length)
    {
        byte[] b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    // Deterministic per-sample bytes of a field; every dtype gets whole elements with varied bit patterns.
    private static byte[] ValueBytes(FieldSpec field, int sample)
    {
        int elements = field.IsVariable ? sample % 5 : field.ElementsPerSample;
        byte[] bytes = new byte[elements * field.ItemSize];
        new Random((sample * 131) + (int)field.DType).NextBytes(bytes);
        return bytes;
    }

    private static byte[] TypedBytes(SampleLease s, int field, DType dtype) => dtype switch
    {
        DType.U8 => s.Get<byte>(field).ToArray(),
        DType.I8 => AsBytes(s.Get<sbyte>(field)),
        DType.U16 => AsBytes(s.Get<ushort>(field)),
        DType.I16 => AsBytes(s.Get<short>(field)),
        DType.U32 => AsBytes(s.Get<uint>(field)),
        DType.I32 => AsBytes(s.Get<int>(field)),
        DType.U64 => AsBytes(s.Get<ulong>(field)),
        DType.I64 => AsBytes(s.Get<long>(field)),
        DType.F16 => AsBytes(s.Get<Half>(field)),
        DType.BF16 => AsBytes(s.Get<ushort>(field)),
        DType.F32 => AsBytes(s.Get<float>(field)),
        DType.F64 => AsBytes(s.Get<double>(field)),
        _ => throw new AssertFailedException($"dtype {dtype} has no typed read in this test"),
    };

    private static byte[] AsBytes<T>(ReadOnlySpan<T> values)
        where T : unmanaged => MemoryMarshal.AsBytes(values).ToArray();
}
