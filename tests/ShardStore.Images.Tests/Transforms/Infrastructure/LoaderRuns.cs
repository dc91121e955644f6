namespace ShardStore.Images.Tests.Transforms.Infrastructure;

/// <summary>Runs loaders to the end keeping every batch's bytes, and compares runs.</summary>
internal static class LoaderRuns
{
    public static List<LoadedBatch> Drain(ShardLoader loader, int limit = int.MaxValue)
    {
        var batches = new List<LoadedBatch>();
        while (batches.Count < limit && loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                batches.Add(LoadedBatch.Capture(batch));
            }
        }

        return batches;
    }

    public static List<LoadedBatch> Run(ShardDataset dataset, ShardLoaderOptions options)
    {
        using ShardLoader loader = ShardLoader.Create(dataset, options);
        List<LoadedBatch> batches = Drain(loader);
        Assert.AreEqual(loader.TotalBatches, batches.Count, "batches delivered vs TotalBatches");
        return batches;
    }

    /// <summary>Checks that two runs delivered the same batches with the same bytes.</summary>
    public static void AssertSameBytes(IReadOnlyList<LoadedBatch> expected, IReadOnlyList<LoadedBatch> actual, string what)
    {
        Assert.HasCount(expected.Count, actual, $"{what} batches");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.AreEqual(expected[i].Epoch, actual[i].Epoch, $"{what} batch {i}: epoch");
            CollectionAssert.AreEqual(expected[i].Samples, actual[i].Samples, $"{what} batch {i}: samples");
            Assert.HasCount(expected[i].Fields.Length, actual[i].Fields, $"{what} batch {i}: fields");
            for (int f = 0; f < expected[i].Fields.Length; f++)
            {
                CollectionAssert.AreEqual(expected[i].Fields[f], actual[i].Fields[f], $"{what} batch {i}: bytes of field {f}");
            }

            CollectionAssert.AreEqual(expected[i].Skipped, actual[i].Skipped, $"{what} batch {i}: skipped positions");
        }
    }

    /// <summary>Splits the batches of a fixed-field schema into each sample's bytes (fields concatenated), by epoch and sample.</summary>
    public static Dictionary<(int Epoch, long Sample), byte[]> Rows(IEnumerable<LoadedBatch> batches, Schema schema)
    {
        var rows = new Dictionary<(int, long), byte[]>();
        foreach (LoadedBatch b in batches)
        {
            for (int i = 0; i < b.Samples.Length; i++)
            {
                rows.Add((b.Epoch, b.Samples[i]), [.. Enumerable.Range(0, schema.Count).SelectMany(f => b.Fields[f].Skip(i * schema[f].BytesPerSample).Take(schema[f].BytesPerSample))]);
            }
        }

        return rows;
    }
}
