using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardStore.Cuda.Tests.Infrastructure;

/// <summary>A small mixed-schema dataset (fixed f32 [4,3], i64 label, variable i32 tokens), loaders over it, and byte-level comparisons of host and device batches.</summary>
internal static class RingData
{
    /// <summary>The token count of the long samples of <see cref="WriteWithLongSamples"/>.</summary>
    public const int LongTokens = 20_000;

    public static Schema Schema { get; } = new(
        FieldSpec.Fixed("x", DType.F32, 4, 3),
        FieldSpec.Fixed("label", DType.I64),
        FieldSpec.Variable("tokens", DType.I32));

    /// <summary>Writes <paramref name="count"/> samples; sample i has i % <paramref name="tokenModulo"/> tokens.</summary>
    public static string Write(TempDirectory dir, long count, CodecKind codec = CodecKind.None, int tokenModulo = 7, string name = "ds")
    {
        string path = dir.Combine(name);
        using DatasetWriter writer = DatasetWriter.Create(path, Schema, new DatasetWriterOptions
        {
            Codec = codec,
            Codecs = NativeCodecs.Provider,
            ChunkTargetBytes = 2048,
            ShardTargetBytes = 16 << 10,
            Threads = 2,
        });
        for (long i = 0; i < count; i++)
        {
            writer.Write<float>(0, [.. Enumerable.Range(0, 12).Select(k => (i * 12) + k + 0.5f)]);
            writer.WriteScalar(1, i * 3);
            writer.Write<int>(2, [.. Enumerable.Range(0, (int)(i % tokenModulo)).Select(k => (int)(i * 100) + k)]);
            writer.EndSample();
        }

        writer.Complete();
        return path;
    }

    /// <summary>
    /// Writes 40 samples of which 20 to 23 hold <see cref="LongTokens"/> tokens each: a sequential batch of four of them
    /// outgrows the loader's initial 64 KiB tokens buffer (and a small device slot), so both grow.
    /// </summary>
    public static string WriteWithLongSamples(TempDirectory dir)
    {
        string path = dir.Combine("long");
        using DatasetWriter writer = DatasetWriter.Create(path, Schema, new DatasetWriterOptions
        {
            Codecs = NativeCodecs.Provider,
            ChunkTargetBytes = 64 << 10,
            ShardTargetBytes = 1 << 20,
            Threads = 1,
        });
        for (int i = 0; i < 40; i++)
        {
            writer.Write<float>(0, [.. Enumerable.Range(0, 12).Select(k => (i * 12) + k + 0.5f)]);
            writer.WriteScalar(1, (long)i);
            writer.Write<int>(2, [.. Enumerable.Range(0, i is >= 20 and < 24 ? LongTokens : i % 7)]);
            writer.EndSample();
        }

        writer.Complete();
        return path;
    }

    public static ShardDataset Open(string path) => ShardDataset.Open(path, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });

    public static ShardLoaderOptions LoaderOptions(int batchSize, int epochs = 1, SampleOrder order = SampleOrder.Window) => new()
    {
        Order = order,
        BatchSize = batchSize,
        Seed = 5,
        Epochs = epochs,
        WindowChunks = 2,
        DecodeWorkers = 2,
        PrefetchDepth = 2,
        MemoryBudgetBytes = 16 << 20,
    };

    /// <summary>Reads every batch a loader with <paramref name="options"/> delivers, keeping its bytes.</summary>
    public static List<BatchBytes> Expected(ShardDataset dataset, ShardLoaderOptions options)
    {
        var batches = new List<BatchBytes>();
        using ShardLoader loader = ShardLoader.Create(dataset, options);
        while (loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                var values = new byte[batch.Schema.Count][];
                var offsets = new byte[batch.Schema.Count][];
                for (int f = 0; f < batch.Schema.Count; f++)
                {
                    values[f] = batch.GetBytes(f).ToArray();
                    if (batch.Schema[f].IsVariable)
                    {
                        offsets[f] = System.Runtime.InteropServices.MemoryMarshal.AsBytes(batch.GetVariable<int>(f).Offsets).ToArray();
                    }
                }

                batches.Add(new BatchBytes(batch.Sequence, batch.Epoch, batch.SampleIndices.ToArray(), values, offsets));
            }
        }

        return batches;
    }

    /// <summary>Copies a device batch back to the host, once its copy has completed.</summary>
    public static BatchBytes ReadBack(DeviceRing ring, DeviceBatch batch)
    {
        var values = new byte[batch.Schema.Count][];
        var offsets = new byte[batch.Schema.Count][];
        for (int f = 0; f < batch.Schema.Count; f++)
        {
            DeviceField field = batch.GetField(f);
            values[f] = new byte[field.ByteLength];
            ring.CopyToHost(batch, field.Pointer, values[f]);
            if (field.IsVariable)
            {
                offsets[f] = new byte[field.OffsetsByteLength];
                ring.CopyToHost(batch, field.OffsetsPointer, offsets[f]);
            }
        }

        return new BatchBytes(batch.Sequence, batch.Epoch, batch.SampleIndices.ToArray(), values, offsets);
    }

    public static void AssertSame(BatchBytes expected, BatchBytes actual)
    {
        string where = $"batch {expected.Sequence} (epoch {expected.Epoch})";
        Assert.AreEqual(expected.Sequence, actual.Sequence, where);
        Assert.AreEqual(expected.Epoch, actual.Epoch, where);
        CollectionAssert.AreEqual(expected.Samples, actual.Samples, $"{where}: sample indices");
        for (int f = 0; f < expected.Values.Length; f++)
        {
            CollectionAssert.AreEqual(expected.Values[f], actual.Values[f], $"{where}: values of field {f}");
            if (expected.Offsets[f] is { } offsets)
            {
                CollectionAssert.AreEqual(offsets, actual.Offsets[f], $"{where}: offsets of field {f}");
            }
        }
    }

    /// <summary>
    /// Drains the ring, checking each batch's device bytes against <paramref name="expected"/>; alternates the two
    /// ways of consuming (stream wait + release event, and synchronize + dispose). Returns the batches seen.
    /// </summary>
    public static int DrainAndCompare(DeviceRing ring, DeviceStream stream, List<BatchBytes> expected)
    {
        int seen = 0;
        while (ring.Next() is { } batch)
        {
            if (seen % 2 == 0)
            {
                batch.WaitReady(stream);
                stream.Synchronize();
                AssertSame(expected[seen], ReadBack(ring, batch));
                batch.Release(stream);
            }
            else
            {
                batch.Synchronize();
                AssertSame(expected[seen], ReadBack(ring, batch));
                batch.Dispose();
            }

            seen++;
        }

        return seen;
    }
}
