using System.Globalization;
using ShardStore.Compression;

namespace ShardStore.Runner;

/// <summary>
/// The loader's throughput goals, each as a ratio to a baseline measured in the same run on the same bytes:
/// Sequential and Random order over uncompressed chunks against two-thread memcpy, and Window order over lz4
/// chunks against the native LZ4 decode of the same chunks on the same threads, and also against that decode plus
/// the one copy per sample that contiguous batches need (the floor of any such loader). Data is page-cached.
/// </summary>
internal static class LoaderGoals
{
    public static int Run(string root, RunnerOptions options, CancellationToken cancellationToken)
    {
        long rawBytes = options.Samples * SyntheticMnist.SampleBytes;
        string nonePath = Path.Combine(root, "goals-none");
        string lz4Path = Path.Combine(root, "goals-lz4");
        Console.WriteLine($"Packing {options.Samples:N0} samples ({rawBytes / 1e9:F2} GB raw) twice: codec none and lz4");
        long labelSum = SyntheticMnist.Instance.Pack(nonePath, options.WithCodec(CodecKind.None), cancellationToken);
        SyntheticMnist.Instance.Pack(lz4Path, options.WithCodec(CodecKind.Lz4), cancellationToken);

        var rows = new List<(string Name, double Rate, double Baseline, string BaselineName, double Goal, LoaderStreamer.Result Result)>();
        var loader = new ShardLoaderOptions { BatchSize = options.BatchSize, DecodeWorkers = options.Threads, Seed = 1 };
        using (ShardDataset none = SyntheticDataset.Open(nonePath))
        {
            // A first pass reads the files into the page cache and verifies every chunk's checksum once.
            LoaderStreamer.Stream(none, loader with { Order = SampleOrder.Sequential }, 1, cancellationToken).Verify(options.Samples, labelSum);
            double memcpy = Baselines.MemcpyBytesPerSecond(rawBytes, options.Threads);
            LoaderStreamer.Result seq = LoaderStreamer.Stream(none, loader with { Order = SampleOrder.Sequential }, options.Epochs, cancellationToken).Verify(options.Samples, labelSum);
            LoaderStreamer.Result rnd = LoaderStreamer.Stream(none, loader with { Order = SampleOrder.Random }, options.Epochs, cancellationToken).Verify(options.Samples, labelSum);
            LoaderStreamer.Result mapped = LoaderStreamer.Stream(none, loader with { Order = SampleOrder.Sequential, ZeroCopy = true }, options.Epochs, cancellationToken).Verify(options.Samples, labelSum);
            memcpy = Math.Max(memcpy, Baselines.MemcpyBytesPerSecond(rawBytes, options.Threads));
            string memcpyName = $"memcpy, {options.Threads} threads";
            rows.Add(("Sequential, none", seq.BytesPerEpoch / seq.Best.TotalSeconds, memcpy, memcpyName, 0.9, seq));

            // Not a goal of its own: the loader copies with positioned reads (a shard truncated under it must not
            // kill the process), so the kernel's page-cache copy of the same bytes bounds Sequential order.
            string[] shardFiles = Directory.GetFiles(nonePath, "shard-*");
            int readBytes = options.BatchSize * SyntheticMnist.SampleBytes;
            double pread = Math.Max(
                Baselines.PositionedReadBytesPerSecond(shardFiles, options.Threads, readBytes),
                Baselines.PositionedReadBytesPerSecond(shardFiles, options.Threads, readBytes));
            rows.Add(("Sequential, none", seq.BytesPerEpoch / seq.Best.TotalSeconds, pread, $"page-cached positioned reads of {readBytes / 1024} KiB, {options.Threads} threads ({pread / memcpy:F2}x of memcpy)", double.NaN, seq));
            rows.Add(("Random, none", rnd.BytesPerEpoch / rnd.Best.TotalSeconds, memcpy, memcpyName, 0.45, rnd));

            // Not a goal: batches inside one chunk handed out over the mapping (ZeroCopy), the rest copied.
            rows.Add(($"Sequential, none, ZeroCopy ({mapped.Statistics.ZeroCopyBatches * 100 / Math.Max(1, mapped.Statistics.Batches)}% of batches mapped)", mapped.BytesPerEpoch / mapped.Best.TotalSeconds, memcpy, memcpyName, double.NaN, mapped));
        }

        using (ShardDataset lz4 = SyntheticDataset.Open(lz4Path))
        {
            LoaderStreamer.Stream(lz4, loader with { Order = SampleOrder.Sequential }, 1, cancellationToken).Verify(options.Samples, labelSum);
            double native = Baselines.NativeDecodeBytesPerSecond(lz4, options.Threads);
            LoaderStreamer.Result win = LoaderStreamer.Stream(lz4, loader with { Order = SampleOrder.Window }, options.Epochs, cancellationToken).Verify(options.Samples, labelSum);
            native = Math.Max(native, Baselines.NativeDecodeBytesPerSecond(lz4, options.Threads));
            rows.Add(("Window, lz4", win.BytesPerEpoch / win.Best.TotalSeconds, native, $"native LZ4 decode, {options.Threads} threads", 0.9, win));

            // Not a goal of its own: how far the Window row is from what any loader of contiguous batches can reach.
            long batchMemory = Math.Max(win.Statistics.PeakMemoryBytes, 1 << 20);
            double floor = Math.Max(
                Baselines.DecodeAndScatterBytesPerSecond(lz4, options.Threads, options.BatchSize, batchMemory),
                Baselines.DecodeAndScatterBytesPerSecond(lz4, options.Threads, options.BatchSize, batchMemory));
            rows.Add(("Window, lz4", win.BytesPerEpoch / win.Best.TotalSeconds, floor, $"native decode + one streaming copy per sample ({floor / native:F2}x of decode), {options.Threads} threads", double.NaN, win));
        }

        Console.WriteLine();
        Console.WriteLine($"batch {options.BatchSize}, {options.Threads} decode workers, best of {options.Epochs} epochs, page-cached");
        Console.WriteLine("| scenario | M samples/s | GB/s | baseline | baseline GB/s | ratio | goal | consumer wait | decode time | chunk reads | peak loader memory |");
        Console.WriteLine("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        bool allMet = true;
        bool meaningful = true;
        foreach (var r in rows)
        {
            double ratio = r.Rate / r.Baseline;
            bool judged = !double.IsNaN(r.Goal) && r.Result.IsMeaningful;
            allMet &= !judged || ratio >= r.Goal;
            meaningful &= r.Result.IsMeaningful;
            string goal = double.IsNaN(r.Goal) ? "-"
                : !judged ? $"{r.Goal:F2}x: not judged, the epoch is under {LoaderStreamer.MeaningfulEpochSlots}x the slots (--samples {r.Result.MeaningfulSamples:N0})"
                : $"{r.Goal:F2}x {(ratio >= r.Goal ? "met" : "NOT met")}";
            double samplesPerSecond = r.Result.SamplesPerEpoch / r.Result.Best.TotalSeconds;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Name} | {samplesPerSecond / 1e6:F2} | {r.Rate / 1e9:F2} | {r.BaselineName} | {r.Baseline / 1e9:F2} | {ratio:F2}x | {goal} | {r.Result.Statistics.ConsumerWait.TotalSeconds:F2} s | {r.Result.Statistics.DecodeTime.TotalSeconds:F2} s | {r.Result.Statistics.ChunksLoaded} | {r.Result.Statistics.PeakMemoryBytes / 1e6:F0} MB |"));
        }

        Console.WriteLine(!meaningful ? "Some rows measure too short an epoch to judge (see the goal column)." : allMet ? "All loader goals met." : "Some loader goals are not met.");
        return 0;
    }
}
