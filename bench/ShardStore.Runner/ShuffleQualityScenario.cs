using System.Globalization;
using ShardStore.Compression;
using ShardStore.Internals.Ordering;
using ShardStore.Internals.Reading;

namespace ShardStore.Runner;

/// <summary>
/// <c>--shuffle-quality</c>: how well Window order mixes data packed in class order, and what it costs. Packs
/// 200 classes x 64 samples of 16 KiB in class order with lz4 (four classes per 4 MiB chunk); prints the distinct
/// classes and chunks per batch of 256 for Random order, Window order with whole-chunk windows (the order before
/// pieces, reachable through an internal option for this comparison) and Window order with pieces; the same class
/// figures for computed layouts of other sample sizes (no data); then times the two Window orders over the page-cached
/// lz4 dataset in alternating rows (old, new, new, old, ...) and reports each round's ratio and their median. A row
/// is the whole run of one loader over <see cref="RowEpochs"/> epochs, start-up included: with slots for a whole
/// epoch, batches are ready before the consumer asks, so a single epoch's time would not measure the work.
/// </summary>
internal static class ShuffleQualityScenario
{
    private const int Batch = 256;

    private const int RowEpochs = 200;

    public static int Run(string root, RunnerOptions options, CancellationToken cancellationToken)
    {
        var data = new SyntheticClassSorted(200, 64);
        string path = Path.Combine(root, "class-sorted-lz4");
        Console.WriteLine($"Packing {data.Description}, lz4, 4 MiB chunks");
        long labelSum = data.Pack(path, CodecKind.Lz4, options.Threads, cancellationToken);
        // Pieces chosen from the sample size (WindowPieceSamples = 0) against whole-chunk windows (the default).
        var loader = new ShardLoaderOptions { BatchSize = Batch, DecodeWorkers = options.Threads, Seed = 1, Order = SampleOrder.Window, WindowPieceSamples = 0 };
        ShardLoaderOptions old = loader with { WindowPieceSamples = null };
        bool met = true;
        using (ShardDataset ds = SyntheticDataset.Open(path))
        {
            var layout = new ChunkIndex(ds);
            Console.WriteLine();
            Console.WriteLine($"Class-sorted dataset: {ds.SampleCount} samples in {layout.ChunkCount} chunks; shape of new Window order: {WindowShape.For(layout, loader)}");
            Console.WriteLine("| order | classes/batch mean | classes/batch min | chunks/batch mean | chunks/batch min | vs Random (classes) |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            OrderFigures random = Figures(ds, layout, loader with { Order = SampleOrder.Random }, data.PerClass);
            OrderFigures before = Figures(ds, layout, old, data.PerClass);
            OrderFigures after = Figures(ds, layout, loader, data.PerClass);
            PrintFigures("Random", random, random);
            PrintFigures("Window, whole-chunk windows (before)", before, random);
            PrintFigures("Window, pieces (now)", after, random);
            met &= after.MeanLabels >= 0.8 * random.MeanLabels;

            Console.WriteLine();
            Console.WriteLine("Computed layouts (4 MiB chunks, batch 256, W = 8, automatic pieces; no data read): classes per batch, new Window / Random");
            Console.WriteLine("| layout | shape | Window before | Window now | Random | now / Random |");
            Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
            foreach ((string name, int classes, int perClass, int sampleBytes) in new[]
            {
                ("200 classes x 1 MiB, 100 B samples", 200, (1 << 20) / 100, 100),
                ("200 classes x 1 MiB, 16 KiB samples", 200, 64, 16 * 1024),
                ("200 classes x 1 MiB, 200 KiB samples", 200, 5, 200 * 1024),
                ("ImageNet-like: 1000 classes x 1300, 110 KiB", 1000, 1300, 110 * 1024),
            })
            {
                ComputedRow(name, classes, perClass, sampleBytes);
            }

            // Throughput: warm the page cache and verify every chunk once, then alternate the two orders.
            LoaderStreamer.Stream(ds, loader with { Order = SampleOrder.Sequential }, 1, cancellationToken).Verify(data.Samples, labelSum);
            int rounds = Math.Max(2, options.Epochs);
            var ratios = new List<double>();
            var steadyRatios = new List<double>();
            var cpuRatios = new List<double>();
            Console.WriteLine();
            Console.WriteLine($"Throughput over lz4, page-cached, {options.Threads} decode workers, batch {Batch}, default 1 GiB budget; each row one loader's {RowEpochs} epochs, start-up included");
            Console.WriteLine("| round | first | before: M samples/s | now: M samples/s | now / before | steady now / before | CPU s before, now: before / now | before: slots, peak MB, chunk reads/epoch | now: slots, peak MB, chunk reads/epoch | before with now's slot count: M samples/s, / before |");
            Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |");
            for (int round = 1; round <= rounds; round++)
            {
                bool oldFirst = round % 2 == 1;
                (LoaderStreamer.Result a, int slotsA, double cpuA) = Timed(ds, oldFirst ? old : loader, data, labelSum, cancellationToken);
                (LoaderStreamer.Result b, int slotsB, double cpuB) = Timed(ds, oldFirst ? loader : old, data, labelSum, cancellationToken);
                (double cpuOld, double cpuNew) = oldFirst ? (cpuA, cpuB) : (cpuB, cpuA);
                double cpuRatio = cpuOld / cpuNew;
                cpuRatios.Add(cpuRatio);
                (LoaderStreamer.Result o, int so, LoaderStreamer.Result n, int sn) = oldFirst ? (a, slotsA, b, slotsB) : (b, slotsB, a, slotsA);
                double ratio = Rate(n) / Rate(o);
                ratios.Add(ratio);
                double steady = SteadyRate(n) / SteadyRate(o);
                steadyRatios.Add(steady);

                // Whole-chunk windows given as many slots as pieces take (a deeper prefetch): what the larger footprint costs by itself.
                (LoaderStreamer.Result wide, int slotsWide, _) = Timed(ds, old with { PrefetchDepth = old.PrefetchDepth + sn - so }, data, labelSum, cancellationToken);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {round} | {(oldFirst ? "before" : "now")} | {Rate(o) / 1e6:F3} | {Rate(n) / 1e6:F3} | {ratio:F2}x | {steady:F2}x | {cpuOld:F2}, {cpuNew:F2}: {cpuRatio:F2}x | {so}, {o.Statistics.PeakMemoryBytes / 1e6:F0}, {o.Statistics.ChunksLoaded / (double)RowEpochs:F0} | {sn}, {n.Statistics.PeakMemoryBytes / 1e6:F0}, {n.Statistics.ChunksLoaded / (double)RowEpochs:F0} | {Rate(wide) / 1e6:F3} ({slotsWide} slots), {Rate(wide) / Rate(o):F2}x |"));
            }

            double median = Median(ratios);
            met &= median >= 0.9;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Median CPU-time ratio before / now (the same samples; CPU-bound, so the throughput both would reach alone): {Median(cpuRatios):F2}x"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Median steady-state ratio (epochs after the first {SteadyFrom}, page faults of new slots excluded): {Median(steadyRatios):F2}x"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Median throughput ratio now / before: {median:F2}x (goal >= 0.90x); classes per batch now / Random: {after.MeanLabels / random.MeanLabels:F2}x (goal >= 0.80x): {(met ? "met" : "NOT met")}"));
        }

        return met ? 0 : 1;
    }

    // CPU time too: on a shared machine CPU seconds for the same samples move far less with other people's load than
    // wall-clock rates do, and the loader is CPU-bound here (page-cached data).
    private static (LoaderStreamer.Result Result, int Slots, double CpuSeconds) Timed(ShardDataset ds, ShardLoaderOptions options, SyntheticClassSorted data, long labelSum, CancellationToken cancellationToken)
    {
        int slots;
        using (ShardLoader probe = ShardLoader.Create(ds, options with { Epochs = RowEpochs }))
        {
            slots = probe.SlotCount;
        }

        TimeSpan cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        LoaderStreamer.Result result = LoaderStreamer.Stream(ds, options, RowEpochs, cancellationToken).Verify(data.Samples, labelSum);
        return (result, slots, (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private const int SteadyFrom = 3;

    private static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    // Samples per second over the epochs after the first few, when the slots' pages are in place and the pipeline is full.
    private static double SteadyRate(LoaderStreamer.Result r) => r.SamplesPerEpoch * (r.EpochTimes.Count - SteadyFrom) / r.EpochTimes.Skip(SteadyFrom).Sum(t => t.TotalSeconds);

    // Samples per second over the whole run of a row.
    private static double Rate(LoaderStreamer.Result r) => r.SamplesPerEpoch * r.EpochTimes.Count / r.EpochTimes.Sum(t => t.TotalSeconds);

    private static OrderFigures Figures(ShardDataset ds, ChunkIndex layout, ShardLoaderOptions options, int perClass) =>
        OrderStatistics.Measure(layout, ShardLoader.PlanEpoch(ds, options, 0), s => s / perClass);

    private static void PrintFigures(string name, OrderFigures f, OrderFigures random) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {f.MeanLabels:F1} | {f.MinLabels} | {f.MeanChunks:F1} | {f.MinChunks} | {f.MeanLabels / random.MeanLabels:F2}x |"));

    private static void ComputedRow(string name, int classes, int perClass, int sampleBytes)
    {
        long samples = (long)classes * perClass;
        int perChunk = Math.Max(1, (4 << 20) / sampleBytes);
        int[] counts = [.. Enumerable.Range(0, (int)((samples + perChunk - 1) / perChunk)).Select(c => (int)Math.Min(perChunk, samples - ((long)c * perChunk)))];
        ChunkIndex layout = ChunkIndex.FromCounts(counts, samples * sampleBytes);
        WindowShape now = WindowShape.For(layout, 8, pieceSamples: 0);
        double Classes(SampleOrder order, WindowShape shape)
        {
            var epoch = new EpochOrder(layout, order, 1, 0, 1, shape, Batch);
            var schedule = new RankSchedule(samples, Batch, 0, 1, true, 0, 0, 1);
            return OrderStatistics.Measure(layout, Plan(epoch, schedule), s => s / perClass).MeanLabels;
        }

        double before = Classes(SampleOrder.Window, now with { Spread = 1 });
        double after = Classes(SampleOrder.Window, now);
        double random = Classes(SampleOrder.Random, now);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | S = {now.PieceSamples}, K = {now.Spread} | {before:F1} | {after:F1} | {random:F1} | {after / random:F2}x |"));
    }

    private static IEnumerable<long[]> Plan(EpochOrder order, RankSchedule schedule)
    {
        for (long k = 0; schedule.TryGet(k, out BatchPlan plan); k++)
        {
            long[] samples = new long[plan.Count];
            order.Fill(plan.Start, samples);
            yield return samples;
        }
    }
}
