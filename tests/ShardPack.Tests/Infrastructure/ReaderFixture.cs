using System.Globalization;
using System.Runtime.InteropServices;
using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardPack.Tests.Infrastructure;

/// <summary>Writes datasets with a field of every dtype, fixed (scalars and shapes) and variable-length, and reads their values back with the .NET reader.</summary>
internal static class ReaderFixture
{
    /// <summary>Gets the schema: one fixed and one variable field of every dtype.</summary>
    public static Schema Schema { get; } = EveryDTypeDataset.CreateSchema(1, 7);

    /// <summary>Writes <paramref name="samples"/> samples of <see cref="Schema"/> to <paramref name="path"/>: small chunks in several shards, bytes that compress (mostly zero, the rest any bit pattern: NaNs, infinities, extremes), and empty variable samples.</summary>
    public static void Write(string path, CodecKind codec, int samples = 300, int seed = 11)
    {
        var random = new Random(seed);
        var options = new DatasetWriterOptions { Codec = codec, Codecs = NativeCodecs.Provider, ChunkTargetBytes = 2048, ShardTargetBytes = 48 << 10, Threads = 2 };
        using DatasetWriter writer = DatasetWriter.Create(path, Schema, options);
        EveryDTypeDataset.WriteSamples(writer, Schema, random, samples, maxVariableElements: 10, zeroTenths: 7);
        writer.Complete();
    }

    /// <summary>Reads every value with the .NET reader as lines "INDEX NAME SHAPE HEX" (the format of tools/python/tests/dump_samples.py) and counts the chunks stored with each codec.</summary>
    public static (List<string> Rows, Dictionary<CodecKind, int> Codecs) ReadRows(string path)
    {
        var rows = new List<string>();
        var codecs = new Dictionary<CodecKind, int>();
        using ShardDataset dataset = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        for (int shard = 0; shard < dataset.Shards.Count; shard++)
        {
            for (int c = 0; c < dataset.GetChunkCount(shard); c++)
            {
                using ChunkLease chunk = dataset.ReadChunk(shard, c);
                codecs[chunk.StoredCodec] = codecs.GetValueOrDefault(chunk.StoredCodec) + 1;
                for (int i = 0; i < chunk.SampleCount; i++)
                {
                    for (int f = 0; f < dataset.Schema.Count; f++)
                    {
                        FieldSpec spec = dataset.Schema[f];
                        byte[] bytes = SampleBytes(chunk, spec, f, i);
                        string shape = spec.IsVariable
                            ? (bytes.Length / spec.ItemSize).ToString(CultureInfo.InvariantCulture)
                            : string.Join(',', spec.Shape);
                        rows.Add(FormattableString.Invariant($"{chunk.FirstSample + i} {spec.Name} {shape} {Convert.ToHexStringLower(bytes)}"));
                    }
                }
            }
        }

        return (rows, codecs);
    }

    private static byte[] SampleBytes(ChunkLease chunk, FieldSpec spec, int field, int index) => spec.DType switch
    {
        DType.U8 => chunk.GetSample<byte>(field, index).ToArray(),
        DType.I8 => MemoryMarshal.AsBytes(chunk.GetSample<sbyte>(field, index)).ToArray(),
        DType.U16 or DType.BF16 => MemoryMarshal.AsBytes(chunk.GetSample<ushort>(field, index)).ToArray(),
        DType.I16 => MemoryMarshal.AsBytes(chunk.GetSample<short>(field, index)).ToArray(),
        DType.U32 => MemoryMarshal.AsBytes(chunk.GetSample<uint>(field, index)).ToArray(),
        DType.I32 => MemoryMarshal.AsBytes(chunk.GetSample<int>(field, index)).ToArray(),
        DType.U64 => MemoryMarshal.AsBytes(chunk.GetSample<ulong>(field, index)).ToArray(),
        DType.I64 => MemoryMarshal.AsBytes(chunk.GetSample<long>(field, index)).ToArray(),
        DType.F16 => MemoryMarshal.AsBytes(chunk.GetSample<Half>(field, index)).ToArray(),
        DType.F32 => MemoryMarshal.AsBytes(chunk.GetSample<float>(field, index)).ToArray(),
        DType.F64 => MemoryMarshal.AsBytes(chunk.GetSample<double>(field, index)).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.DType, "unknown dtype"),
    };
}
