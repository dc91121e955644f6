using System.Diagnostics;
using ShardStore.Compression;

namespace ShardStore.Runner;

/// <summary>
/// A loader over a mixture of three datasets against the loader over one dataset of the same total samples (Window
/// order, lz4, page-cached), in alternating rows of the same run; the streams' weights are their sizes, so both read
/// the same bytes per epoch.
/// </summary>
internal static class MixtureScenario
{
    private static readonly double[] s_shares = [0.5, 0.3, 0.2];

    public static int Run(string root, RunnerOptions options, CancellationToken cancellationToken)
    {
        long total = options.Samples;
        long[] sizes = [(long)(total * s_shares[0]), (long)(total * s_shares[1]), 0];
        sizes[2] = total - sizes[0] - sizes[1];
        Console.WriteLine($"Packing {total:N0} MNIST-like samples with lz4 as one dataset and as three ({string.Join(" + ", sizes.Select(s => s.ToString("N0")))})");
        long singleSum = SyntheticMnist.Instance.Pack(Path.Combine(root, "mix-single"), total, CodecKind.Lz4, options.Threads, options.ChunkBytes, cancellationToken);
        long mixSum = 0;
        for (int s = 0; s < 3; s++)
        {
            mixSum += SyntheticMnist.Instance.Pack(Path.Combine(root, $"mix-{s}"), sizes[s], CodecKind.Lz4, options.Threads, options.ChunkBytes, cancellationToken);
        }

        using ShardDataset single = SyntheticDataset.Open(Path.Combine(root, "mix-single"));
        ShardDataset[] parts = [.. Enumerable.Range(0, 3).Select(s => SyntheticDataset.Open(Path.Combine(root, $"mix-{s}")))];
        try
        {
            DatasetMixture mixture = DatasetMixture.Create(parts.Select(d => MixtureStream.Weighted(d, d.SampleCount)));
            var loader = new ShardLoaderOptions { Order = SampleOrder.Window, BatchSize = options.BatchSize, DecodeWorkers = options.Threads, Seed = 1 };

            // A first pass of each reads the files into the page cache and verifies every chunk's checksum once.
            Stream(ShardLoader.Create(single, loader with { Epochs = 1 }), total, singleSum, cancellationToken);
            Stream(ShardLoader.Create(mixture, loader with { Epochs = 1 }), total, mixSum, cancellationToken);

            // The mixture plans more scatter slots (a small stream's window spreads over more of the epoch); a third
            // column gives the one-dataset loader as many, through a deeper prefetch, to compare at equal memory.
            int mixSlots;
            int oneSlots;
            using (ShardLoader probe = ShardLoader.Create(mixture, loader))
            {
                mixSlots = probe.SlotCount;
            }

            using (ShardLoader probe = ShardLoader.Create(single, loader))
            {
                oneSlots = probe.SlotCount;
            }

            ShardLoaderOptions equal = loader with { PrefetchDepth = loader.PrefetchDepth + Math.Max(0, mixSlots - oneSlots) };
            using (ShardLoader probe = ShardLoader.Create(single, equal))
            {
                Console.WriteLine($"Slots: one dataset {oneSlots}, mixture {mixSlots}, one dataset with a deeper prefetch {probe.SlotCount}");
            }

            int rounds = Math.Max(3, options.Epochs);
            var equalRatios = new List<double>();
            var ratios = new List<double>();
            Console.WriteLine($"Window order, lz4, batch {options.BatchSize}, {options.Threads} decode workers; rows alternate, each a loader's 4 epochs, start-up included:");
            Console.WriteLine("| Row | One dataset (M samples/s) | Mixture of 3 (M samples/s) | One dataset, as many slots (M samples/s) | Mixture / one | Mixture / one, as many slots | Peak loader memory, one / mixture / one with as many slots (MB) |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            for (int r = 0; r < rounds; r++)
            {
                (double one, long onePeak) = Stream(ShardLoader.Create(single, loader with { Epochs = 4 }), total, singleSum, cancellationToken);
                (double mix, long mixPeak) = Stream(ShardLoader.Create(mixture, loader with { Epochs = 4 }), total, mixSum, cancellationToken);
                (double deep, long deepPeak) = Stream(ShardLoader.Create(single, equal with { Epochs = 4 }), total, singleSum, cancellationToken);
                ratios.Add(mix / one);
                equalRatios.Add(mix / deep);
                Console.WriteLine($"| {r + 1} | {one / 1e6:F3} | {mix / 1e6:F3} | {deep / 1e6:F3} | {mix / one:F3} | {mix / deep:F3} | {onePeak / 1e6:F0} / {mixPeak / 1e6:F0} / {deepPeak / 1e6:F0} |");
            }

            ratios.Sort();
            equalRatios.Sort();
            Console.WriteLine($"Median mixture / one dataset: {ratios[ratios.Count / 2]:F3}x (goal >= 0.9x); range {ratios[0]:F3}-{ratios[^1]:F3}");
            Console.WriteLine($"Median mixture / one dataset with as many slots: {equalRatios[equalRatios.Count / 2]:F3}x; range {equalRatios[0]:F3}-{equalRatios[^1]:F3}");
            return 0;
        }
        finally
        {
            foreach (ShardDataset d in parts)
            {
                d.Dispose();
            }
        }
    }

    // Streams every epoch of the loader (disposing it), checks each epoch's samples and label sum, and returns the
    // samples per second over all of them, with the loader's peak budget use.
    private static (double Rate, long PeakBytes) Stream(ShardLoader loader, long samples, long labelSum, CancellationToken cancellationToken)
    {
        using (loader)
        {
            int label = loader.Schema.IndexOf("label");
            var times = new List<double>();
            var sw = Stopwatch.StartNew();
            int epoch = 0;
            long count = 0;
            long sum = 0;
            while (true)
            {
                Batch? batch = loader.NextBatch(cancellationToken);
                if (batch is null || batch.Epoch != epoch)
                {
                    if (count != samples || sum != labelSum)
                    {
                        throw new InvalidOperationException($"Epoch {epoch} read {count} samples with label sum {sum}; expected {samples} and {labelSum}.");
                    }

                    times.Add(sw.Elapsed.TotalSeconds);
                    sw.Restart();
                    (epoch, count, sum) = (epoch + 1, 0, 0);
                }

                if (batch is null)
                {
                    break;
                }

                using (batch)
                {
                    count += batch.Count;
                    foreach (long v in batch.GetFixed<long>(label))
                    {
                        sum += v;
                    }
                }
            }

            // Over the whole run, start-up included: with batch slots for much of an epoch, batches are ready before
            // the consumer asks, and a single epoch's time after the first would not measure the work.
            return (samples * times.Count / times.Sum(), loader.Statistics.PeakMemoryBytes);
        }
    }
}
