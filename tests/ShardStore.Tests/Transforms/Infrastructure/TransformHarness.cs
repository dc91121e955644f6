using ShardStore.Internals.Reading;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;
using ShardStore.Transforms;

namespace ShardStore.Tests.Transforms.Infrastructure;

/// <summary>What the consumer saw of one transformed batch: its record, every field's bytes and the skipped positions.</summary>
internal sealed record TransformedBatch(BatchRecord Record, byte[][] Fields, int[] Skipped);

/// <summary>Runs loaders with transforms, keeps every batch's bytes, and checks the <see cref="NoiseTransform"/>'s values.</summary>
internal static class TransformHarness
{
    /// <summary>Reads batches until the end (or <paramref name="limit"/>), keeping each one's bytes, checking each with <paramref name="check"/>.</summary>
    public static List<TransformedBatch> Drain(ShardLoader loader, Action<Batch>? check = null, int limit = int.MaxValue)
    {
        var batches = new List<TransformedBatch>();
        while (batches.Count < limit && loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                check?.Invoke(batch);
                batches.Add(Capture(batch));
            }
        }

        return batches;
    }

    /// <summary>Creates a loader, reads it to the end, disposes it and checks that nothing leaked.</summary>
    public static List<TransformedBatch> Run(ShardDataset dataset, ShardLoaderOptions options, Action<Batch>? check = null)
    {
        List<TransformedBatch> batches;
        ShardLoader loader = ShardLoader.Create(dataset, options);
        using (loader)
        {
            batches = Drain(loader, check);
            Assert.AreEqual(loader.TotalBatches, batches.Count, "batches delivered vs TotalBatches");
        }

        LoaderHarness.AssertReleased(loader, dataset);
        return batches;
    }

    public static TransformedBatch Capture(Batch batch) => new(
        LoaderHarness.Record(batch, checkValues: false),
        [.. Enumerable.Range(0, batch.Schema.Count).Select(f => batch.GetBytes(f).ToArray())],
        batch.SkippedPositions.ToArray());

    /// <summary>Checks that two runs delivered byte-identical batches.</summary>
    public static void AssertSameBytes(IReadOnlyList<TransformedBatch> expected, IReadOnlyList<TransformedBatch> actual, string what)
    {
        LoaderHarness.AssertSameBatches([.. expected.Select(b => b.Record)], [.. actual.Select(b => b.Record)], what);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.HasCount(expected[i].Fields.Length, actual[i].Fields, $"{what} batch {i}: fields");
            for (int f = 0; f < expected[i].Fields.Length; f++)
            {
                CollectionAssert.AreEqual(expected[i].Fields[f], actual[i].Fields[f], $"{what} batch {i}: bytes of field {f}");
            }

            CollectionAssert.AreEqual(expected[i].Skipped, actual[i].Skipped, $"{what} batch {i}: skipped positions");
        }
    }

    /// <summary>Splits fixed-field batches into each sample's bytes (all fields' rows concatenated), by epoch and sample.</summary>
    public static Dictionary<(int Epoch, long Sample), byte[]> Rows(IEnumerable<TransformedBatch> batches, Schema schema)
    {
        var rows = new Dictionary<(int, long), byte[]>();
        foreach (TransformedBatch b in batches)
        {
            for (int i = 0; i < b.Record.Count; i++)
            {
                rows.Add((b.Record.Epoch, b.Record.Samples[i]), [.. Enumerable.Range(0, schema.Count).SelectMany(f => b.Fields[f].Skip(i * schema[f].BytesPerSample).Take(schema[f].BytesPerSample))]);
            }
        }

        return rows;
    }

    /// <summary>
    /// Checks a batch of the mixed test dataset transformed by <c>NoiseTransform("x", "tokens")</c> at position 0: the
    /// noisy features and the draws from the key (seed, epoch, sample, 0), the token sums, and the label passed
    /// through; the outputs of skipped samples are zero.
    /// </summary>
    public static void AssertMixedNoise(Batch batch, ulong seed)
    {
        ReadOnlySpan<float> x = batch.GetFixed<float>("x");
        ReadOnlySpan<int> draws = batch.GetFixed<int>("draws");
        ReadOnlySpan<long> sums = batch.GetFixed<long>("tokens_sum");
        ReadOnlySpan<long> labels = batch.GetFixed<long>("label");
        ReadOnlySpan<int> skipped = batch.SkippedPositions;
        for (int i = 0; i < batch.Count; i++)
        {
            long s = batch.SampleIndices[i];
            string where = $"{LoaderHarness.Describe(batch)}, sample {s} (item {i})";
            Assert.AreEqual(s * 3, labels[i], $"{where}: label passed through");
            if (skipped.Contains(i))
            {
                Assert.IsTrue(x.Slice(i * 12, 12).IndexOfAnyExcept(0f) < 0 && draws.Slice(i * 4, 4).IndexOfAnyExcept(0) < 0 && sums[i] == 0, $"{where}: skipped, outputs zero");
                continue;
            }

            var random = new TransformRandom(seed, batch.Epoch, s, 0);
            (float[] values, int[] expectedDraws) = NoiseTransform.Expected(TestData.Features(s), ref random);
            CollectionAssert.AreEqual(values, x.Slice(i * 12, 12).ToArray(), $"{where}: x");
            CollectionAssert.AreEqual(expectedDraws, draws.Slice(i * 4, 4).ToArray(), $"{where}: draws");
            Assert.AreEqual(TestData.Tokens(s).Sum(t => (long)t), sums[i], $"{where}: token sum");
        }
    }

    /// <summary>The shard and chunk (in the shard) that hold a sample.</summary>
    public static (int Shard, int Chunk) Locate(ShardDataset dataset, long sample)
    {
        var index = new ChunkIndex(dataset);
        int chunk = index.ChunkOf(sample);
        return (index.ChunkShard[chunk], index.ChunkInShard[chunk]);
    }
}
