namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>Runs loaders, records what they delivered, and compares two runs batch by batch.</summary>
internal static class LoaderRuns
{
    /// <summary>Options every loader test starts from: fixed worker and slot counts, so runs do not depend on the machine.</summary>
    public static ShardLoaderOptions Options(SampleOrder order, int batchSize = 16, ulong seed = 7) => new()
    {
        Order = order,
        BatchSize = batchSize,
        Seed = seed,
        WindowChunks = 4,
        DecodeWorkers = 2,
        PrefetchDepth = 3,
        MemoryBudgetBytes = 16 << 20,
    };

    /// <summary>Creates a loader, reads every batch, disposes it and checks that it left no lease behind.</summary>
    public static List<RecordedBatch> Run(ShardDataset dataset, ShardLoaderOptions options)
    {
        List<RecordedBatch> batches;
        using (var loader = ShardLoader.Create(dataset, options))
        {
            batches = Drain(loader);
            Assert.AreEqual(loader.TotalBatches, batches.Count, "batches delivered vs TotalBatches");
        }

        Assert.AreEqual(0L, dataset.LiveLeases, "dataset leases after the loader was disposed");
        return batches;
    }

    /// <summary>Reads batches until the end (or <paramref name="limit"/> batches), checking (when asked), recording and disposing each; appends to <paramref name="into"/> when given.</summary>
    public static List<RecordedBatch> Drain(ShardLoader loader, int limit = int.MaxValue, List<RecordedBatch>? into = null, Action<Batch>? check = null)
    {
        var batches = into ?? [];
        var taken = 0;
        while (taken < limit && loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                check?.Invoke(batch);
                batches.Add(Record(batch));
                taken++;
            }
        }

        return batches;
    }

    public static RecordedBatch Record(Batch batch)
    {
        var schema = batch.Schema;
        var fields = new byte[schema.Count][];
        var offsets = new long[schema.Count][];
        for (var f = 0; f < schema.Count; f++)
        {
            fields[f] = batch.GetBytes(f).ToArray();
            offsets[f] = schema[f].IsVariable ? VariableOffsets(batch, f) : [];
        }

        return new RecordedBatch(batch.Epoch, batch.Position, batch.Sequence, batch.SampleIndices.ToArray(), fields, offsets);
    }

    /// <summary>Checks that two runs delivered the same batches: epoch, position, sequence, sample indices and every field's bytes.</summary>
    public static void AssertSameBatches(IReadOnlyList<RecordedBatch> expected, IReadOnlyList<RecordedBatch> actual, string what)
    {
        Assert.HasCount(expected.Count, actual, $"{what}: batches");
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSameBatch(expected[i], actual[i], $"{what}: batch {i}");
        }
    }

    public static void AssertSameBatch(RecordedBatch expected, RecordedBatch actual, string what)
    {
        Assert.AreEqual(expected.Epoch, actual.Epoch, $"{what}: epoch");
        Assert.AreEqual(expected.Position, actual.Position, $"{what}: position");
        Assert.AreEqual(expected.Sequence, actual.Sequence, $"{what}: sequence");
        CollectionAssert.AreEqual(expected.Samples, actual.Samples, $"{what}: sample indices");
        Assert.HasCount(expected.Fields.Length, actual.Fields, $"{what}: fields");
        for (var f = 0; f < expected.Fields.Length; f++)
        {
            CollectionAssert.AreEqual(expected.Fields[f], actual.Fields[f], $"{what}: bytes of field {f}");
            CollectionAssert.AreEqual(expected.Offsets[f], actual.Offsets[f], $"{what}: offsets of field {f}");
        }
    }

    /// <summary>Renumbers batches from 0, as a loader resumed before the first of them numbers them.</summary>
    public static RecordedBatch[] Renumbered(IEnumerable<RecordedBatch> batches) => [.. batches.Select((b, i) => b with { Sequence = i })];

    private static long[] VariableOffsets(Batch batch, int field) => batch.Schema[field].DType switch
    {
        DType.U8 or DType.I8 => batch.GetVariable<byte>(field).Offsets.ToArray(),
        DType.I32 => batch.GetVariable<int>(field).Offsets.ToArray(),
        DType.I16 => batch.GetVariable<short>(field).Offsets.ToArray(),
        DType.U16 or DType.F16 or DType.BF16 => batch.GetVariable<ushort>(field).Offsets.ToArray(),
        DType.U32 => batch.GetVariable<uint>(field).Offsets.ToArray(),
        DType.F32 => batch.GetVariable<float>(field).Offsets.ToArray(),
        DType.U64 => batch.GetVariable<ulong>(field).Offsets.ToArray(),
        DType.I64 => batch.GetVariable<long>(field).Offsets.ToArray(),
        DType.F64 => batch.GetVariable<double>(field).Offsets.ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(field), $"unexpected dtype {batch.Schema[field].DType}"),
    };
}
