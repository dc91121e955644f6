using System.Globalization;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardPack.Commands;

/// <summary>
/// <c>shardpack order --stats [--label-field NAME] [--epochs N]</c>: instead of the indices, one line of shuffle-quality
/// figures per epoch: the distinct source chunks, and distinct values of a scalar label field, per batch of the rank.
/// </summary>
internal static class OrderStatsReport
{
    /// <summary>Writes the figures of epochs [<paramref name="firstEpoch"/>, firstEpoch + <paramref name="epochs"/>).</summary>
    /// <exception cref="UsageException">The label field is not a scalar field of at most 8 bytes, or an order option is out of range.</exception>
    public static void Write(ShardDataset dataset, ShardLoaderOptions options, int firstEpoch, int epochs, string? labelField, TextWriter output, CancellationToken cancellationToken)
    {
        if (epochs < 1)
        {
            throw new UsageException($"--epochs {epochs}: give at least 1.");
        }

        Func<long, long>? label = null;
        if (labelField is not null)
        {
            long[] values = ReadLabels(dataset, labelField, cancellationToken);
            label = sample => values[sample];
        }

        var layout = new ChunkIndex(dataset);
        output.WriteLine(label is null
            ? "epoch\tbatches\tchunks/batch mean\tchunks/batch min"
            : $"epoch\tbatches\tchunks/batch mean\tchunks/batch min\t{labelField} values/batch mean\t{labelField} values/batch min");
        for (int epoch = firstEpoch; epoch < firstEpoch + epochs; epoch++)
        {
            IEnumerable<long[]> plan;
            try
            {
                plan = ShardLoader.PlanEpoch(dataset, options, epoch);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }

            OrderFigures f = OrderStatistics.Measure(layout, Cancellable(plan, cancellationToken), label);
            string line = string.Create(CultureInfo.InvariantCulture, $"{epoch}\t{f.Batches}\t{f.MeanChunks:F2}\t{f.MinChunks}");
            output.WriteLine(label is null ? line : string.Create(CultureInfo.InvariantCulture, $"{line}\t{f.MeanLabels:F2}\t{f.MinLabels}"));
        }
    }

    private static IEnumerable<long[]> Cancellable(IEnumerable<long[]> plan, CancellationToken cancellationToken)
    {
        foreach (long[] batch in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return batch;
        }
    }

    // Every sample's label as a 64-bit key (its value's bytes): one read of the field, 8 bytes per sample.
    private static long[] ReadLabels(ShardDataset dataset, string name, CancellationToken cancellationToken)
    {
        int field = dataset.Schema.IndexOf(name);
        if (field < 0)
        {
            throw new UsageException($"--label-field '{name}': the dataset has no such field; it has {dataset.Schema}.");
        }

        FieldSpec spec = dataset.Schema[field];
        if (spec.IsVariable || spec.ElementsPerSample != 1 || spec.BytesPerSample > sizeof(long))
        {
            throw new UsageException($"--label-field '{name}': the field is {spec}; give a scalar field (one value of at most 8 bytes per sample), such as a class index.");
        }

        long[] values = new long[dataset.SampleCount];
        int width = spec.BytesPerSample;
        Span<byte> key = stackalloc byte[sizeof(long)];
        for (int shard = 0; shard < dataset.Shards.Count; shard++)
        {
            for (int chunk = 0; chunk < dataset.GetChunkCount(shard); chunk++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using ChunkLease lease = dataset.ReadChunk(shard, chunk);
                ReadOnlySpan<byte> bytes = lease.GetFixed<byte>(field);
                for (int i = 0; i < lease.SampleCount; i++)
                {
                    key.Clear();
                    bytes.Slice(i * width, width).CopyTo(key);
                    values[lease.FirstSample + i] = BitConverter.ToInt64(key);
                }
            }
        }

        return values;
    }
}
