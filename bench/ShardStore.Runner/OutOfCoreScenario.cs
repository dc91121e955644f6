using System.Globalization;
using ShardStore.Compression;
using ShardStore.Runner.Reporting;

namespace ShardStore.Runner;

/// <summary>
/// A dataset larger than memory: MNIST-like samples whose shards take 1.5x the machine's RAM on disk (<c>--size</c>
/// overrides), packed with <c>--codec</c> (default lz4), streamed in Window order from a cold cache, one epoch at a time,
/// alternating with the <see cref="ColdFloor"/> over the same files. Throughput is compared with the lowest of three
/// limits measured in the same run: a cold sequential read of the files, the same loader over a page-cached slice, and
/// the cold floor (reading and decoding together on the loader's cores); the process's peak anonymous memory must stay
/// under 1 GiB: mapped file pages may come and go, but the loader's own memory is bounded.
/// </summary>
/// <remarks>
/// lz4 is the default because it is what a training job would use, and because decoded chunks live in anonymous
/// memory, so the 1 GiB check bounds the loader's decode buffers, windows and batch slots; with codec none batches
/// are gathered straight from mapped pages and the check would say little. The size counts bytes on disk, which is
/// what the page cache would have to hold.
/// </remarks>
internal static class OutOfCoreScenario
{
    public const long AnonymousLimitBytes = 1L << 30;

    private const string Scenario = "ShardLoader out-of-core";
    private const long ProbeSamples = 20_000;
    private const int ColdRounds = 2;

    /// <summary>Runs the scenario; returns 1 (having said why) when the disk cannot hold the dataset.</summary>
    public static int Run(BenchmarkRun run)
    {
        RunnerOptions options = run.Options;
        SyntheticMnist mnist = SyntheticMnist.Instance;
        string codecName = CodecNames.GetName(options.Codec);
        long memory = MachineInfo.TotalMemoryBytes();
        long target = TargetBytes(options);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"out-of-core: {Units.Gb(target)} GB on disk ({(options.Size is null ? "1.5x" : $"{target / (double)memory:F2}x")} the {memory / (double)(1L << 30):F1} GiB of RAM), {codecName}, on {FileSystems.TypeOf(run.Scratch.Root)}"));
        if (CannotRun(options, run.Scratch.Root) is { } reason)
        {
            Console.Error.WriteLine($"out-of-core: not run: {reason}.");
            run.Add(ResultRow.Skipped(Scenario, mnist.Name, codecName, "window", "cold", options.Threads, "not run: " + reason));
            return 1;
        }

        // How many samples make the target on disk with this codec: pack a slice of the same data and measure it.
        BenchmarkRun.Packed probe = run.Pack(mnist, Math.Min(ProbeSamples, Math.Max(1, target / mnist.BytesPerSample)), options.Codec, "out-of-core-probe", report: false);
        run.Scratch.Delete(probe.Path);
        long samples = Math.Max(1, (long)(target / ((double)probe.Row.StoredBytes / probe.Samples)));

        BenchmarkRun.Packed packed = run.Pack(mnist, samples, options.Codec, "out-of-core");
        try
        {
            string? notDropped = PageCache.TryDrop(packed.Files);
            double coldRead = Baselines.ReadFilesBytesPerSecond(packed.Files, passes: 1, run.Token);
            run.Add(new BaselineRow(mnist.Name, codecName, "cold read", 1, coldRead / 1e9,
                notDropped is null ? $"every shard file, 8 MiB reads, after dropping the cache ({PageCache.Method})" : $"cache NOT dropped ({notDropped}): partly warm"));
            notDropped ??= PageCache.TryDrop(packed.Files);

            using ShardDataset opened = SyntheticDataset.Open(packed.Path, options.ReadMode, options.DirectIo);
            Console.WriteLine($"out-of-core: read mode {opened.ReadMode}{(opened.DirectIo ? " with O_DIRECT where the file system allows it" : string.Empty)}");
            var loader = new ShardLoaderOptions { Order = SampleOrder.Window, BatchSize = options.BatchSize, DecodeWorkers = options.Threads, Seed = 1 };

            // The other bound: the same loader and read mode over a slice of the same data that the page cache holds
            // (decoding is the limit when the disk is fast). The slice is read once to warm it, then measured. Taken
            // before the cold epochs, so that they do not pay for compiling the loader's code (a training process
            // pays that once, not every epoch).
            (double warm, double warmMapped) = WarmLoaderStoredBytesPerSecond(run, mnist, options, loader, target);

            // The cold floor and the loader's cold epoch alternate, twice, each after dropping the cache: a virtual
            // disk's rate drifts over minutes of reading (burst credits, neighbours), so each is taken at its best.
            double floor = 0;
            TimeSpan floorCpu = TimeSpan.MaxValue;
            LoaderStreamer.Result? result = null;
            var peak = new MemoryPeak(null, null);
            long slotBytes = SlotBytes(opened, loader);
            for (int round = 0; round < ColdRounds; round++)
            {
                (double f, TimeSpan cpu) = ColdFloorRow(run, opened, packed, options, slotBytes, $"round {round + 1} of {ColdRounds}");
                (floor, floorCpu) = (Math.Max(floor, f), Min(floorCpu, cpu));
                notDropped ??= PageCache.TryDrop(packed.Files);
                (LoaderStreamer.Result r, MemoryPeak p) = LoaderStreamer.Measure(opened, loader, 1, samples, packed.LabelSum, run.Token);
                BenchmarkRun.Log(string.Create(CultureInfo.InvariantCulture, $"cold loader epoch, round {round + 1}: {packed.Row.StoredBytes / r.Best.TotalSeconds / 1e9:F2} GB/s stored, {CpuPerGb(r.ProcessorTime, packed.Row.StoredBytes)}"));
                result = result is null || r.Best < result.Best ? r : result;
                peak = (p.AnonymousBytes ?? 0) >= (peak.AnonymousBytes ?? 0) ? p : peak;
            }

            string verdict = peak.AnonymousBytes is { } anon
                ? $"{(anon < AnonymousLimitBytes ? "PASS" : "FAIL")}: peak anon {Units.MiB(anon)} {(anon < AnonymousLimitBytes ? "<" : ">=")} 1 GiB"
                : "anon RSS n/a (needs Linux): not checked";
            if (notDropped is not null)
            {
                verdict += $"; cache not dropped ({notDropped})";
            }

            // Read the files cold once more: a virtual disk's rate can drift over minutes of reading (burst
            // credits, neighbours), and the loader ran between the two reads. The ratio is to the faster one.
            string? notDroppedAfter = PageCache.TryDrop(packed.Files);
            double coldReadAfter = Baselines.ReadFilesBytesPerSecond(packed.Files, passes: 1, run.Token);
            run.Add(new BaselineRow(mnist.Name, codecName, "cold read", 1, coldReadAfter / 1e9,
                notDroppedAfter is null ? $"the same, after the loader's epochs ({PageCache.Method})" : $"after the loader's epochs, cache NOT dropped ({notDroppedAfter}): partly warm"));
            run.Add(new BaselineRow(mnist.Name, codecName, "warm loader", options.Threads, warm / 1e9,
                $"the same loader ({opened.ReadMode}, through the page cache) over a page-cached slice, stored bytes per second"));
            run.Add(new BaselineRow(mnist.Name, codecName, "warm mapped", options.Threads, warmMapped / 1e9,
                string.Create(CultureInfo.InvariantCulture, $"the same slice mapped, alternated with the row above: direct reads at {warm / warmMapped:F2}x of mapped ones")));
            // Processor time per stored byte does not depend on what else the machine runs, unlike the rates: it says
            // whether the loader spends more work than the floor or waits more.
            verdict += $"; {CpuPerGb(result!.ProcessorTime, packed.Row.StoredBytes)} (cold floor {CpuPerGb(floorCpu, packed.Row.StoredBytes)})";

            // The bound is the lowest of the three limits: the disk alone, decoding alone (the warm loader), and the
            // two together on the cores the loader has (the cold floor, which reads sequentially and so never exceeds
            // the disk by much). Each limit is taken at its best.
            double bound = Math.Min(Math.Min(Math.Max(coldRead, coldReadAfter), warm), floor);
            run.Add(run.LoaderRow(Scenario, mnist.Name, codecName, SampleOrder.Window, "cold", 1, result, peak,
                [
                    MatrixScenario.ColdReadRatio(packed, Math.Max(coldRead, coldReadAfter), result),
                    new Ratio("cold floor (time)", packed.Row.StoredBytes / floor / result.Best.TotalSeconds),
                    new Ratio("bound (time)", packed.Row.StoredBytes / bound / result.Best.TotalSeconds),
                ],
                verdict));
            return 0;
        }
        finally
        {
            run.Scratch.Delete(packed.Path);
            BenchmarkRun.Log($"deleted the out-of-core dataset ({Units.Gb(packed.Row.StoredBytes)} GB)");
        }
    }

    // Packs a slice of about a sixteenth of RAM (at most the target) and streams it, page-cached, with direct reads
    // through the page cache and mapped, alternating, two epochs each of three rounds; returns the best stored bytes
    // per second of each. Direct against mapped is the "no slower than Mapped over a page-cached dataset" check.
    private static (double Direct, double Mapped) WarmLoaderStoredBytesPerSecond(BenchmarkRun run, SyntheticMnist mnist, RunnerOptions options, ShardLoaderOptions loader, long target)
    {
        long bytes = Math.Min(target, MachineInfo.TotalMemoryBytes() / 16);
        BenchmarkRun.Packed warm = run.Pack(mnist, Math.Max(1, bytes / mnist.BytesPerSample * 4), options.Codec, "out-of-core-warm", report: false);
        try
        {
            using ShardDataset direct = SyntheticDataset.Open(warm.Path, ShardStore.Storage.ShardReadMode.Direct, directIo: false);
            using ShardDataset mapped = SyntheticDataset.Open(warm.Path, ShardStore.Storage.ShardReadMode.Mapped);
            TimeSpan bestDirect = TimeSpan.MaxValue, bestMapped = TimeSpan.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                bestDirect = Min(bestDirect, LoaderStreamer.Measure(direct, loader, 2, warm.Samples, warm.LabelSum, run.Token).Result.Best);
                bestMapped = Min(bestMapped, LoaderStreamer.Measure(mapped, loader, 2, warm.Samples, warm.LabelSum, run.Token).Result.Best);
            }

            return (warm.Row.StoredBytes / bestDirect.TotalSeconds, warm.Row.StoredBytes / bestMapped.TotalSeconds);
        }
        finally
        {
            run.Scratch.Delete(warm.Path);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static string CpuPerGb(TimeSpan cpu, long storedBytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{cpu.TotalSeconds / (storedBytes / 1e9):F2} CPU s per stored GB");

    // Drops the cache and measures ColdFloor once on the loader's threads, into as much batch memory as the loader's
    // slots take; adds its row and returns its stored bytes per second.
    private static (double BytesPerSecond, TimeSpan ProcessorTime) ColdFloorRow(BenchmarkRun run, ShardDataset dataset, BenchmarkRun.Packed packed, RunnerOptions options, long batchMemory, string when)
    {
        string? notDropped = PageCache.TryDrop(packed.Files);
        // Two threads per decode thread: while one waits for its read, the other decodes, on the loader's cores.
        int threads = 2 * options.Threads;
        (double floor, TimeSpan cpu) = ColdFloor.Measure(dataset, threads, options.BatchSize, batchMemory, run.Token);
        string cost = CpuPerGb(cpu, packed.Row.StoredBytes);
        run.Add(new BaselineRow(SyntheticMnist.Instance.Name, CodecNames.GetName(options.Codec), "cold floor", threads, floor / 1e9,
            notDropped is null
                ? $"{when}: every shard read front to back (8 MiB reads, 64 MiB parts shared by the threads), CRC32C, native decode, one copy per sample into {Units.MiB(batchMemory)} of batches (the loader's slots); stored bytes per second; {cost}"
                : $"{when}, cache NOT dropped ({notDropped}): partly warm"));
        return (floor, cpu);
    }

    // The fixed-width bytes of the loader's batch slots: Window order's mixing decides how many batches are filled at
    // once, and any loader of these batches copies each sample into that much memory.
    private static long SlotBytes(ShardDataset dataset, ShardLoaderOptions loader)
    {
        using ShardLoader probe = ShardLoader.Create(dataset, loader);
        return probe.SlotCount * (long)dataset.Schema.Fields.Sum(f => f.IsVariable ? 0 : (long)f.BytesPerSample) * loader.BatchSize;
    }

    /// <summary>Says why the scenario cannot run in <paramref name="root"/> (too little disk, or a file system in RAM), or null.</summary>
    public static string? CannotRun(RunnerOptions options, string root)
    {
        if (FileSystems.IsInMemory(root))
        {
            return $"the data directory is on {FileSystems.TypeOf(root)}, which holds its files in RAM, so nothing would be read from disk; give --dir on a disk";
        }

        long target = TargetBytes(options);
        try
        {
            FileSystems.Require(root, target + Math.Max(1L << 30, target / 20), "The out-of-core dataset");
            return null;
        }
        catch (DiskSpaceException e)
        {
            return e.Message.TrimEnd('.');
        }
    }

    private static long TargetBytes(RunnerOptions options) => options.Size ?? (long)(1.5 * MachineInfo.TotalMemoryBytes());
}
