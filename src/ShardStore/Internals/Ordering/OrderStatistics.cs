using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// Shuffle-quality figures of a plan: how many distinct chunks, and distinct label values, each batch draws from.
/// Data packed in sorted order (an image folder, class by class) keeps a class in a few chunks, so the distinct
/// labels of a batch show how close an order comes to a uniform shuffle; Random order is the reference.
/// </summary>
internal static class OrderStatistics
{
    /// <summary>Measures the batches of <paramref name="batches"/> (empty batches are not counted).</summary>
    /// <param name="layout">The dataset's chunks.</param>
    /// <param name="batches">Each batch's global sample indices.</param>
    /// <param name="label">Each sample's label value, or null to measure chunks only.</param>
    public static OrderFigures Measure(ChunkIndex layout, IEnumerable<long[]> batches, Func<long, long>? label = null)
    {
        var stamps = new int[layout.ChunkCount];
        var labels = new HashSet<long>();
        long counted = 0;
        long chunkSum = 0;
        long labelSum = 0;
        int minChunks = int.MaxValue;
        int minLabels = int.MaxValue;
        foreach (long[] batch in batches)
        {
            if (batch.Length == 0)
            {
                continue;
            }

            int stamp = (int)++counted;
            int chunks = 0;
            labels.Clear();
            foreach (long sample in batch)
            {
                int chunk = layout.ChunkOf(sample);
                if (stamps[chunk] != stamp)
                {
                    stamps[chunk] = stamp;
                    chunks++;
                }

                if (label is not null)
                {
                    labels.Add(label(sample));
                }
            }

            chunkSum += chunks;
            minChunks = Math.Min(minChunks, chunks);
            labelSum += labels.Count;
            minLabels = Math.Min(minLabels, labels.Count);
        }

        return counted == 0
            ? new OrderFigures(0, 0, 0, 0, 0)
            : new OrderFigures(counted, (double)chunkSum / counted, minChunks, label is null ? 0 : (double)labelSum / counted, label is null ? 0 : minLabels);
    }
}
