using System.Runtime.InteropServices;
using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>Small datasets of known content, in small chunks over several shards, for reading over S3.</summary>
internal static class TestDatasets
{
    /// <summary>Gets a schema with one fixed (3 elements) and one variable field of every dtype: <c>f_DTYPE</c>, <c>v_DTYPE</c>.</summary>
    public static Schema AllDTypes { get; } = new(
    [
        .. Enum.GetValues<DType>().Select(d => FieldSpec.Fixed($"f_{d}", d, 3)),
        .. Enum.GetValues<DType>().Select(d => FieldSpec.Variable($"v_{d}", d)),
    ]);

    /// <summary>Gets the schema of the loader datasets: features <c>x</c> (f32, 4 x 3), <c>label</c> (i64), <c>tokens</c> (variable i32).</summary>
    public static Schema Mixed { get; } = new(
        FieldSpec.Fixed("x", DType.F32, 4, 3),
        FieldSpec.Fixed("label", DType.I64),
        FieldSpec.Variable("tokens", DType.I32));

    /// <summary>Gets the bytes sample <paramref name="sample"/> holds in field <paramref name="field"/> of <see cref="AllDTypes"/>: every bit pattern of the dtype occurs, variable runs of 0 to 4 elements.</summary>
    public static byte[] AllDTypesValue(long sample, int field)
    {
        var spec = AllDTypes[field];
        var elements = spec.IsVariable ? (int)((sample + field) % 5) : spec.ElementsPerSample;
        var bytes = new byte[elements * spec.ItemSize];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((sample * 131) + (field * 17) + (i * 7));
        }

        return bytes;
    }

    /// <summary>Writes <paramref name="count"/> samples of <see cref="AllDTypes"/>.</summary>
    public static void WriteAllDTypes(string path, CodecKind codec, long count = 300)
    {
        using var writer = DatasetWriter.Create(path, AllDTypes, Options(codec, chunkBytes: 2 << 10, shardBytes: 16 << 10));
        for (long s = 0; s < count; s++)
        {
            for (var f = 0; f < AllDTypes.Count; f++)
            {
                writer.Write<byte>(f, AllDTypesValue(s, f));
            }

            writer.EndSample();
        }

        writer.Complete();
    }

    /// <summary>Writes <paramref name="count"/> samples of <see cref="Mixed"/>; sample s has features s*12+k+0.5, label s*3 and s%7 tokens s*100+k.</summary>
    public static void WriteMixed(string path, long count, CodecKind codec = CodecKind.Lz4, int chunkBytes = 1 << 10, long shardBytes = 24 << 10)
    {
        using var writer = DatasetWriter.Create(path, Mixed, Options(codec, chunkBytes, shardBytes));
        for (long s = 0; s < count; s++)
        {
            writer.Write<float>(0, [.. Enumerable.Range(0, 12).Select(k => (s * 12) + k + 0.5f)]);
            writer.WriteScalar(1, s * 3);
            writer.Write<int>(2, [.. Enumerable.Range(0, (int)(s % 7)).Select(k => (int)(s * 100) + k)]);
            writer.EndSample();
        }

        writer.Complete();
    }

    /// <summary>Checks that every sample of a <see cref="Mixed"/> batch holds the values written for its index.</summary>
    public static void AssertMixedValues(Batch batch)
    {
        var x = batch.GetFixed<float>(0);
        var labels = batch.GetFixed<long>(1);
        var tokens = batch.GetVariable<int>(2);
        for (var i = 0; i < batch.Count; i++)
        {
            var s = batch.SampleIndices[i];
            for (var k = 0; k < 12; k++)
            {
                if (x[(i * 12) + k] != (s * 12) + k + 0.5f)
                {
                    Assert.Fail($"batch {batch.Sequence}: x[{k}] of sample {s} is {x[(i * 12) + k]}, expected {(s * 12) + k + 0.5f}");
                }
            }

            Assert.AreEqual(s * 3, labels[i], $"batch {batch.Sequence}: label of sample {s}");
            var t = tokens[i];
            Assert.AreEqual((int)(s % 7), t.Length, $"batch {batch.Sequence}: tokens of sample {s}");
            for (var k = 0; k < t.Length; k++)
            {
                Assert.AreEqual((int)(s * 100) + k, t[k], $"batch {batch.Sequence}: token {k} of sample {s}");
            }
        }
    }

    /// <summary>Reads a sample's value of a field with the field's own element type and returns its bytes.</summary>
    public static byte[] FieldBytes(SampleLease sample, Schema schema, int field) => schema[field].DType switch
    {
        DType.U8 => sample.Get<byte>(field).ToArray(),
        DType.I8 => Bytes(sample.Get<sbyte>(field)),
        DType.U16 => Bytes(sample.Get<ushort>(field)),
        DType.I16 => Bytes(sample.Get<short>(field)),
        DType.U32 => Bytes(sample.Get<uint>(field)),
        DType.I32 => Bytes(sample.Get<int>(field)),
        DType.U64 => Bytes(sample.Get<ulong>(field)),
        DType.I64 => Bytes(sample.Get<long>(field)),
        DType.F16 => Bytes(sample.Get<Half>(field)),
        DType.BF16 => Bytes(sample.Get<ushort>(field)),
        DType.F32 => Bytes(sample.Get<float>(field)),
        DType.F64 => Bytes(sample.Get<double>(field)),
        _ => throw new ArgumentOutOfRangeException(nameof(field), $"unexpected dtype {schema[field].DType}"),
    };

    private static byte[] Bytes<T>(ReadOnlySpan<T> values)
        where T : unmanaged => MemoryMarshal.AsBytes(values).ToArray();

    private static DatasetWriterOptions Options(CodecKind codec, int chunkBytes, long shardBytes) => new()
    {
        Codec = codec,
        Codecs = NativeCodecs.Provider,
        ChunkTargetBytes = chunkBytes,
        ShardTargetBytes = shardBytes,
        Threads = 2,
        Metadata = new Dictionary<string, string> { ["origin"] = "s3 reading tests" },
    };
}
