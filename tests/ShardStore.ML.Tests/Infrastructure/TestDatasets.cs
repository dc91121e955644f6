using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardStore.ML.Tests.Infrastructure;

/// <summary>Datasets for the adapter tests: one with a field of every dtype and kind, one with a learnable signal.</summary>
internal static class TestDatasets
{
    /// <summary>Gets a schema with one fixed field (scalars, vectors, a matrix) and one variable field of every dtype.</summary>
    public static Schema EveryDType { get; } = EveryDTypeDataset.CreateSchema(1);

    /// <summary>Writes <paramref name="samples"/> samples of <see cref="EveryDType"/>: small chunks, bytes that are mostly zero and otherwise any bit pattern (NaNs, infinities, extremes), and empty variable samples.</summary>
    public static string WriteEveryDType(TempDirectory dir, CodecKind codec, int samples = 200)
    {
        string path = dir.Combine("every-dtype");
        var random = new Random(5);
        var options = new DatasetWriterOptions { Codec = codec, Codecs = NativeCodecs.Provider, ChunkTargetBytes = 2048, ShardTargetBytes = 32 << 10, Threads = 1 };
        using DatasetWriter writer = DatasetWriter.Create(path, EveryDType, options);
        EveryDTypeDataset.WriteSamples(writer, EveryDType, random, samples, maxVariableElements: 8, zeroTenths: 6);
        writer.Complete();
        return path;
    }

    /// <summary>Writes a three-class problem: <c>features</c> (8 values of <paramref name="featureType"/>) drawn around a
    /// center per class, with unit Gaussian noise, and <c>label</c> (i32); a linear classifier separates the classes
    /// almost perfectly, while chance is one in three.</summary>
    public static string WriteClusters(TempDirectory dir, DType featureType, int samples = 3000)
    {
        string path = dir.Combine("clusters");
        const int Dimensions = 8;
        var random = new Random(17);
        float[][] centers = [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, Dimensions).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray())];
        var schema = new Schema(FieldSpec.Fixed("features", featureType, Dimensions), FieldSpec.Fixed("label", DType.I32));
        using DatasetWriter writer = DatasetWriter.Create(path, schema, new DatasetWriterOptions { ChunkTargetBytes = 4096, Threads = 1 });
        var values = new float[Dimensions];
        for (int s = 0; s < samples; s++)
        {
            int label = random.Next(3);
            for (int d = 0; d < Dimensions; d++)
            {
                values[d] = centers[label][d] + Gaussian(random);
            }

            switch (featureType)
            {
                case DType.F32:
                    writer.Write<float>(0, values);
                    break;
                case DType.F16:
                    writer.Write<Half>(0, [.. values.Select(v => (Half)v)]);
                    break;
                case DType.BF16:
                    writer.Write<ushort>(0, [.. values.Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))]);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(featureType), featureType, "features are f32, f16 or bf16");
            }

            writer.WriteScalar(1, label);
            writer.EndSample();
        }

        writer.Complete();
        return path;
    }

    /// <summary>Opens <paramref name="path"/> with the native codecs.</summary>
    public static ShardDataset Open(string path) => ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
