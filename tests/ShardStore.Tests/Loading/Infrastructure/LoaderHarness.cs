using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests.Loading.Infrastructure;

/// <summary>What the consumer saw of one batch, kept after the batch was disposed.</summary>
internal sealed record BatchRecord(int Epoch, long Position, long Sequence, long[] Samples)
{
    public int Count => Samples.Length;

    public override string ToString() => $"epoch {Epoch} position {Position} sequence {Sequence} count {Count}";
}

/// <summary>Runs loaders to the end, records what they delivered, and checks values and leaks on the way.</summary>
internal static class LoaderHarness
{
    /// <summary>Options every loader test starts from: fixed thread and slot counts, so runs do not depend on the machine.</summary>
    public static ShardLoaderOptions Options(SampleOrder order, int batchSize, ulong seed = 11) => new()
    {
        Order = order,
        BatchSize = batchSize,
        Seed = seed,
        WindowChunks = 4,
        DecodeWorkers = 2,
        PrefetchDepth = 3,
        MemoryBudgetBytes = 16 << 20,
    };

    /// <summary>Writes <paramref name="count"/> samples of <see cref="TestData.MixedSchema"/> in small chunks over several shards.</summary>
    public static string WriteMixed(TempDirectory dir, long count, CodecKind codec = CodecKind.None, string name = "ds")
    {
        string path = dir.Combine(name);
        TestData.WriteMixed(path, count, TestData.Options(codec, chunkBytes: 1024, shardBytes: 8 << 10));
        return path;
    }

    /// <summary>Creates a loader, reads every batch (checking the mixed-schema values), disposes it and checks that nothing leaked.</summary>
    public static List<BatchRecord> Run(ShardDataset dataset, ShardLoaderOptions options, bool checkValues = true)
    {
        List<BatchRecord> batches;
        ShardLoader loader = ShardLoader.Create(dataset, options);
        try
        {
            batches = Drain(loader, checkValues);
            Assert.AreEqual(loader.TotalBatches, batches.Count, "batches delivered vs TotalBatches");
        }
        finally
        {
            loader.Dispose();
        }

        AssertReleased(loader, dataset);
        return batches;
    }

    /// <summary>Reads batches until the end (or <paramref name="limit"/> batches), disposing each.</summary>
    public static List<BatchRecord> Drain(ShardLoader loader, bool checkValues = true, int limit = int.MaxValue)
    {
        var batches = new List<BatchRecord>();
        while (batches.Count < limit && loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                batches.Add(Record(batch, checkValues));
            }
        }

        return batches;
    }

    public static BatchRecord Record(Batch batch, bool checkValues = true)
    {
        if (checkValues)
        {
            AssertMixedValues(batch);
        }

        return new BatchRecord(batch.Epoch, batch.Position, batch.Sequence, batch.SampleIndices.ToArray());
    }

    /// <summary>Checks that every sample of a <see cref="TestData.MixedSchema"/> batch holds the values the writer generated for its index.</summary>
    public static void AssertMixedValues(Batch batch)
    {
        ReadOnlySpan<float> x = batch.GetFixed<float>(0);
        ReadOnlySpan<long> labels = batch.GetFixed<long>(1);
        VariableFieldView<int> tokens = batch.GetVariable<int>(2);
        Assert.AreEqual(batch.Count * 12, x.Length, "x values");
        Assert.AreEqual(batch.Count, tokens.Count, "token offsets");
        Assert.AreEqual(0L, tokens.Offsets[0], "variable offsets start at 0");
        for (int i = 0; i < batch.Count; i++)
        {
            long s = batch.SampleIndices[i];
            for (int k = 0; k < 12; k++)
            {
                if (x[(i * 12) + k] != (s * 12) + k + 0.5f)
                {
                    Assert.Fail($"{Describe(batch)}: x[{k}] of sample {s} (item {i}) is {x[(i * 12) + k]}, expected {(s * 12) + k + 0.5f}.");
                }
            }

            if (labels[i] != s * 3)
            {
                Assert.Fail($"{Describe(batch)}: label of sample {s} (item {i}) is {labels[i]}, expected {s * 3}.");
            }

            ReadOnlySpan<int> t = tokens[i];
            if (t.Length != s % 7)
            {
                Assert.Fail($"{Describe(batch)}: sample {s} (item {i}) has {t.Length} tokens, expected {s % 7}.");
            }

            for (int k = 0; k < t.Length; k++)
            {
                if (t[k] != (int)(s * 100) + k)
                {
                    Assert.Fail($"{Describe(batch)}: token {k} of sample {s} (item {i}) is {t[k]}, expected {(s * 100) + k}.");
                }
            }
        }
    }

    /// <summary>Checks that a disposed loader left no worker, no budget bytes and no dataset lease behind.</summary>
    public static void AssertReleased(ShardLoader loader, ShardDataset dataset)
    {
        Assert.AreEqual(0, loader.RunningWorkers, "running workers after dispose");
        Assert.AreEqual(0L, loader.Statistics.MemoryInUseBytes, "budget bytes in use after dispose");
        Assert.AreEqual(0L, dataset.LiveLeases, "dataset leases after dispose");
    }

    /// <summary>Concatenates the samples of batches in the order given.</summary>
    public static long[] Samples(IEnumerable<BatchRecord> batches) => [.. batches.SelectMany(b => b.Samples)];

    /// <summary>
    /// Merges the batches of several ranks into the epoch's global order: by epoch, then position; checks that
    /// the batches tile the positions from 0 without gaps or overlaps.
    /// </summary>
    public static long[] GlobalSequence(IEnumerable<BatchRecord> batches, int epoch)
    {
        var ordered = batches.Where(b => b.Epoch == epoch && b.Count > 0).OrderBy(b => b.Position).ToList();
        long expected = 0;
        foreach (BatchRecord b in ordered)
        {
            Assert.AreEqual(expected, b.Position, $"batch {b} does not start where the one before it ended");
            expected += b.Count;
        }

        return Samples(ordered);
    }

    /// <summary>Checks that two runs delivered the same batches: epoch, position, sequence and samples.</summary>
    public static void AssertSameBatches(IReadOnlyList<BatchRecord> expected, IReadOnlyList<BatchRecord> actual, string what = "")
    {
        Assert.HasCount(expected.Count, actual, $"{what} batches");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.AreEqual(expected[i].Epoch, actual[i].Epoch, $"{what} batch {i}: epoch");
            Assert.AreEqual(expected[i].Position, actual[i].Position, $"{what} batch {i}: position");
            Assert.AreEqual(expected[i].Sequence, actual[i].Sequence, $"{what} batch {i}: sequence");
            CollectionAssert.AreEqual(expected[i].Samples, actual[i].Samples, $"{what} batch {i}: sample indices");
        }
    }

    public static string Describe(Batch batch) => $"batch {batch.Sequence} (epoch {batch.Epoch}, position {batch.Position})";
}
