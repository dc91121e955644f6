using System.Diagnostics;
using System.Globalization;
using ShardPack;
using ShardStore;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Runner;
using ShardStore.Runner.Cli;

return RunnerCommand.Run(args, Console.Out, Console.Error, options => Run(options, args));

static int Run(RunnerOptions options, string[] args)
{
    using var scratch = new ScratchSpace(options.Directory);
    try
    {
        Console.WriteLine($"ShardStore {typeof(ShardDataset).Assembly.GetName().Version?.ToString(3)} on {Environment.ProcessorCount} cores, .NET {Environment.Version}; liblz4 {NativeCodecs.Lz4Version}, libzstd {NativeCodecs.ZstdVersion}");
        // The benchmark modes delete every dataset they write; the others keep theirs when --dir is given.
        return options.IsBenchmark ? Benchmark.Run(scratch, options, args)
            : options.Images ? ImagesScenario.Run(scratch, options)
            : options.Device is not null ? DeviceBench.Run(scratch.Root, options)
            : options.Remote ? RemoteBench.Run(scratch, options)
            : options.Goals ? LoaderGoals.Run(scratch.Root, options, scratch.Token)
            : options.Mixture ? MixtureScenario.Run(scratch.Root, options, scratch.Token)
            : options.ShuffleQuality ? ShuffleQualityScenario.Run(scratch.Root, options, scratch.Token)
            : MainJob(Path.Combine(scratch.Root, "mnist-like"), options, scratch.Token);
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine("Cancelled; the datasets written were deleted.");
        return ExitCodes.Interrupted;
    }
    catch (DiskSpaceException e)
    {
        Console.Error.WriteLine(e.Message);
        return ExitCodes.Failure;
    }
}

static int MainJob(string datasetPath, RunnerOptions options, CancellationToken cancellationToken)
{
    long samples = options.MainJobSampleCount;
    long rawBytes = samples * SyntheticMnist.SampleBytes;
    Console.WriteLine($"Packing {samples:N0} samples ({Gb(rawBytes)} GB raw, 784 f32 + i64 label) with {CodecNames.GetName(options.Codec)} on {options.Threads} threads into {datasetPath}");
    var pack = Stopwatch.StartNew();
    long labelSum = SyntheticMnist.Instance.Pack(datasetPath, samples, options.Codec, options.Threads, options.ChunkBytes, cancellationToken);
    pack.Stop();

    using ShardDataset dataset = SyntheticDataset.Open(datasetPath);
    long stored = dataset.Shards.Sum(s => s.StoredBytes);
    Console.WriteLine($"Packed in {pack.Elapsed.TotalSeconds:F2} s ({rawBytes / pack.Elapsed.TotalSeconds / 1e6:F0} MB/s raw): {dataset.Shards.Count} shards, {dataset.ChunkCount} chunks, {Gb(stored)} GB stored (ratio {(double)rawBytes / stored:F2})");

    var loaderOptions = new ShardLoaderOptions { Order = options.Order, BatchSize = options.BatchSize, DecodeWorkers = options.Threads, Seed = 1 };
    // One more epoch than measured: the first also verifies every chunk's checksum and warms up the JIT.
    LoaderStreamer.Result result = LoaderStreamer.Stream(dataset, loaderOptions, options.Epochs + 1, cancellationToken);
    if (result.SamplesPerEpoch != samples || result.LabelSumPerEpoch != labelSum)
    {
        Console.Error.WriteLine($"Read {result.SamplesPerEpoch} samples with label sum {result.LabelSumPerEpoch}; expected {samples} and {labelSum}.");
        return 1;
    }

    // A rate is only meaningful when an epoch is much more than what the slots hold: the loader fills its slots with
    // the next epoch's first batches while the consumer finishes this one, so those are taken before the clock starts.
    if (!result.IsMeaningful)
    {
        Console.WriteLine(
            $"ShardLoader, {options.Order} order: first epoch {result.EpochTimes[0].TotalSeconds:F2} s, then best of {options.Epochs} epochs {result.BestAfterFirst.TotalSeconds:F3} s. " +
            $"No rate printed: an epoch of {result.SamplesPerEpoch:N0} samples is less than {LoaderStreamer.MeaningfulEpochSlots}x the {result.SlotSamples:N0} samples the loader's batch slots hold, " +
            $"so much of it is decoded before it is timed. Run with --samples {result.MeaningfulSamples:N0} or more for a figure to compare.");
        return 0;
    }

    double rate = result.BytesPerEpoch / result.BestAfterFirst.TotalSeconds;
    Console.WriteLine(
        $"ShardLoader, {options.Order} order, batch {options.BatchSize}, {options.Threads} decode workers: first epoch {result.EpochTimes[0].TotalSeconds:F2} s " +
        $"(also verifies every chunk's CRC32C and warms up the JIT), then best of {options.Epochs} epochs: " +
        $"{result.SamplesPerEpoch / result.BestAfterFirst.TotalSeconds / 1e6:F2} M samples/s, {rate / 1e9:F2} GB/s");

    // The baseline is what bounds this codec: a copy of the bytes for uncompressed data, the native library's own decode of
    // the same chunks (no ShardStore code on the path) for compressed data.
    (double baseline, string name) = dataset.Codec == CodecKind.None
        ? (Baselines.MemcpyBytesPerSecond(rawBytes, options.Threads), $"memcpy of the same bytes on {options.Threads} threads")
        : (Baselines.NativeDecodeBytesPerSecond(dataset, options.Threads), $"native {CodecNames.GetName(dataset.Codec)} decode of the same chunks on {options.Threads} threads");
    Console.WriteLine(
        $"{name}: {baseline / 1e9:F2} GB/s; loader / that = {rate / baseline:F2}x; " +
        $"consumer waited {result.Statistics.ConsumerWait.TotalSeconds:F2} s of {result.EpochTimes.Sum(t => t.TotalSeconds):F2} s; peak loader memory {result.Statistics.PeakMemoryBytes / 1e6:F0} MB");
    return 0;
}

static string Gb(long bytes) => (bytes / 1e9).ToString("F2", CultureInfo.InvariantCulture);
