using System.Globalization;
using ShardStore.Compression;
using ShardStore.Runner.Reporting;

namespace ShardStore.Runner;

/// <summary>
/// The benchmark matrix: each dataset packed with each codec and streamed in each order from the page cache, then
/// once from a cold cache; every row as a ratio to baselines measured in the same run on the same bytes (memcpy and
/// a page-cache read for uncompressed chunks, native decode of the same chunks for compressed ones, a cold
/// sequential read of the same files for the cold rows).
/// </summary>
internal static class MatrixScenario
{
    private const string Scenario = "ShardLoader";

    public static void Run(BenchmarkRun run)
    {
        RunnerOptions options = run.Options;
        foreach (SyntheticDataset dataset in options.Datasets)
        {
            long samples = options.SamplesOf(dataset);

            // The largest of the packed copies (codec none) plus room for the writer's staging.
            FileSystems.Require(run.Scratch.Root, (long)(samples * dataset.BytesPerSample * 1.1) + (256L << 20), $"The {dataset.Name} dataset");
            double? memcpy = null;
            foreach (CodecKind codec in options.Codecs)
            {
                BenchmarkRun.Packed packed = run.Pack(dataset, samples, codec, $"{dataset.Name}-{CodecNames.GetName(codec)}");
                try
                {
                    memcpy = MeasureWarm(run, dataset, codec, packed, memcpy);
                    MeasureCold(run, dataset, codec, packed);
                }
                finally
                {
                    run.Scratch.Delete(packed.Path);
                }
            }
        }
    }

    // Returns the N-thread memcpy rate, measured with the first codec of each dataset (the raw bytes are the same for all).
    private static double MeasureWarm(BenchmarkRun run, SyntheticDataset dataset, CodecKind codec, BenchmarkRun.Packed packed, double? memcpy)
    {
        RunnerOptions options = run.Options;
        int threads = options.Threads;
        string codecName = CodecNames.GetName(codec);
        var loader = new ShardLoaderOptions { BatchSize = options.BatchSizeOf(dataset), DecodeWorkers = threads, Seed = 1 };
        using ShardDataset opened = SyntheticDataset.Open(packed.Path);

        // A first pass reads the files into the page cache and verifies every chunk's checksum once.
        LoaderStreamer.Result warmUp = LoaderStreamer.Stream(opened, loader with { Order = SampleOrder.Sequential }, 1, run.Token).Verify(packed.Samples, packed.LabelSum);
        if (memcpy is null)
        {
            foreach (int t in new[] { 1, 2, threads }.Distinct())
            {
                double rate = Baselines.MemcpyBytesPerSecond(warmUp.BytesPerEpoch, t);
                run.Add(new BaselineRow(dataset.Name, "-", "memcpy", t, rate / 1e9, "the loader's bytes of one epoch, buffers larger than the caches"));
                if (t == threads)
                {
                    memcpy = rate;
                }
            }
        }

        Baselines.ReadFilesBytesPerSecond(packed.Files, passes: 1, run.Token);
        double read = Baselines.ReadFilesBytesPerSecond(packed.Files, passes: 3, run.Token);
        run.Add(new BaselineRow(dataset.Name, codecName, "page-cache read", 1, read / 1e9, "every shard file, 8 MiB reads, best of 3 after a warm-up pass"));

        double? decode = null;
        if (codec != CodecKind.None)
        {
            decode = Baselines.NativeDecodeBytesPerSecond(opened, threads);
            run.Add(new BaselineRow(dataset.Name, codecName, "native decode", threads, decode / 1e9, "every chunk's stored bytes from memory into a reused buffer, best of 3"));
        }

        foreach (SampleOrder order in options.Orders)
        {
            (LoaderStreamer.Result result, MemoryPeak peak) = LoaderStreamer.Measure(opened, loader with { Order = order }, options.Epochs, packed.Samples, packed.LabelSum, run.Token);
            Ratio[] ratios = decode is { } d
                ? [new($"native decode x{threads}", result.BytesPerSecond / d)]
                : [new($"memcpy x{threads}", result.BytesPerSecond / memcpy!.Value), new("page-cache read", result.BytesPerSecond / read)];
            run.Add(run.LoaderRow(Scenario, dataset.Name, codecName, order, "warm", options.Epochs, result, peak, ratios, DecodeNote(codec, result, opened.ChunkCount, options.Epochs)));
        }

        return memcpy!.Value;
    }

    // One epoch from a cold cache, against a cold sequential read of the same files (cache dropped before each).
    private static void MeasureCold(BenchmarkRun run, SyntheticDataset dataset, CodecKind codec, BenchmarkRun.Packed packed)
    {
        RunnerOptions options = run.Options;
        string codecName = CodecNames.GetName(codec);
        SampleOrder order = options.Orders.Contains(SampleOrder.Window) ? SampleOrder.Window : options.Orders[0];
        string? skipped = PageCache.TryDrop(packed.Files);
        if (skipped is not null)
        {
            run.Add(new BaselineRow(dataset.Name, codecName, "cold read", 1, null, "skipped: " + skipped));
            run.Add(ResultRow.Skipped(Scenario, dataset.Name, codecName, order.ToString().ToLowerInvariant(), "cold", options.Threads, skipped));
            return;
        }

        double coldRead = Baselines.ReadFilesBytesPerSecond(packed.Files, passes: 1, run.Token);
        run.Add(new BaselineRow(dataset.Name, codecName, "cold read", 1, coldRead / 1e9, $"every shard file, 8 MiB reads, after dropping the cache ({PageCache.Method})"));
        skipped = PageCache.TryDrop(packed.Files);
        if (skipped is not null)
        {
            run.Add(ResultRow.Skipped(Scenario, dataset.Name, codecName, order.ToString().ToLowerInvariant(), "cold", options.Threads, skipped));
            return;
        }

        // A fresh open, as a new training job would: chunk checksums are verified again on first touch.
        using ShardDataset opened = SyntheticDataset.Open(packed.Path);
        var loader = new ShardLoaderOptions { BatchSize = options.BatchSizeOf(dataset), DecodeWorkers = options.Threads, Seed = 1, Order = order };
        (LoaderStreamer.Result result, MemoryPeak peak) = LoaderStreamer.Measure(opened, loader, 1, packed.Samples, packed.LabelSum, run.Token);
        run.Add(run.LoaderRow(Scenario, dataset.Name, codecName, order, "cold", 1, result, peak, [ColdReadRatio(packed, coldRead, result)]));
    }

    // Native decode is the bound only if each chunk is decoded once per epoch: say so when the loader kept decoded
    // chunks across epochs (Random order over data that fits its budget) or decoded some more than once.
    private static string? DecodeNote(CodecKind codec, LoaderStreamer.Result result, long chunks, int epochs)
    {
        double perEpoch = result.Statistics.ChunksLoaded / (double)(chunks * epochs);
        return codec == CodecKind.None || perEpoch is > 0.95 and < 1.05
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{result.Statistics.ChunksLoaded} chunk decodes for {chunks} chunks x {epochs} epochs{(perEpoch < 1 ? ": decoded chunks kept across epochs" : ": chunks decoded more than once")}");
    }

    /// <summary>The cold read's time over the loader's time for the same files: 1.0 means the loader streams them at the speed of a plain sequential read.</summary>
    public static Ratio ColdReadRatio(BenchmarkRun.Packed packed, double coldReadBytesPerSecond, LoaderStreamer.Result result) =>
        new("cold read (time)", packed.Row.StoredBytes / coldReadBytesPerSecond / result.Best.TotalSeconds);
}
