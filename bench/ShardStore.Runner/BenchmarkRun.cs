using System.Diagnostics;
using System.Globalization;
using ShardStore.Compression;
using ShardStore.Runner.Reporting;

namespace ShardStore.Runner;

/// <summary>The figures of one benchmark run, printed as progress while they are measured and kept for the final tables.</summary>
internal sealed class BenchmarkRun(RunnerOptions options, ScratchSpace scratch)
{
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();
    private readonly List<PackRow> _packs = [];
    private readonly List<BaselineRow> _baselines = [];
    private readonly List<ResultRow> _rows = [];

    public RunnerOptions Options => options;

    public ScratchSpace Scratch => scratch;

    public CancellationToken Token => scratch.Token;

    /// <summary>A dataset packed for the run: where it is, its files, and what the loader must read back.</summary>
    public sealed record Packed(string Path, IReadOnlyList<string> Files, long Samples, long LabelSum, PackRow Row);

    /// <summary>Generates and packs a dataset into a reserved directory (deleted by the caller or at the end), timed; listed in the report unless <paramref name="report"/> is false.</summary>
    public Packed Pack(SyntheticDataset dataset, long samples, CodecKind codec, string name, bool report = true)
    {
        string path = scratch.Reserve(name);
        string codecName = CodecNames.GetName(codec);
        Console.WriteLine($"{Elapsed()} {dataset.Name}/{codecName}: packing {samples:N0} samples ({dataset.Description}) ...");
        var sw = Stopwatch.StartNew();
        long labelSum = dataset.Pack(path, samples, codec, options.Threads, options.ChunkBytes, Token);
        sw.Stop();
        using ShardDataset opened = SyntheticDataset.Open(path);
        var row = new PackRow(dataset.Name, codecName, samples, opened.Shards.Sum(s => s.RawBytes), opened.Shards.Sum(s => s.FileBytes), opened.Shards.Count, opened.ChunkCount, sw.Elapsed.TotalSeconds);
        if (report)
        {
            _packs.Add(row);
        }

        Log(string.Create(CultureInfo.InvariantCulture, $"{Units.Gb(row.RawBytes)} GB raw -> {Units.Gb(row.StoredBytes)} GB in {row.Shards} shards ({row.CompressionRatio:F2}x) in {row.PackSeconds:F1} s"));
        return new Packed(path, [.. opened.Shards.Select(s => System.IO.Path.Combine(path, s.FileName))], samples, labelSum, row);
    }

    public void Add(BaselineRow row)
    {
        _baselines.Add(row);
        Log(row.GigabytesPerSecond is { } g
            ? string.Create(CultureInfo.InvariantCulture, $"baseline {row.Name} x{row.Threads}: {g:F2} GB/s")
            : $"baseline {row.Name}: {row.Note}");
    }

    public void Add(ResultRow row)
    {
        _rows.Add(row);
        string ratios = string.Join(", ", row.Ratios.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value:F2}x {r.Baseline}")));
        Log(row.SamplesPerSecond is { } sps
            ? string.Create(CultureInfo.InvariantCulture, $"{row.Scenario}, {row.Order}, {row.Cache}, x{row.Threads}: {Units.Rate(sps)} samples/s, {row.GigabytesPerSecond:F2} GB/s; {ratios} {row.Note}")
            : $"{row.Scenario}, {row.Order}, {row.Cache}: {row.Note}");
    }

    /// <summary>A row for a loader pass measured by <see cref="LoaderStreamer.Measure"/>.</summary>
    public ResultRow LoaderRow(string scenario, string dataset, string codec, SampleOrder order, string cache, int epochs, LoaderStreamer.Result result, MemoryPeak peak, IReadOnlyList<Ratio> ratios, string? note = null) =>
        new(scenario, dataset, codec, order.ToString().ToLowerInvariant(), cache, options.Threads, result.SamplesPerEpoch, epochs,
            result.SamplesPerSecond, result.BytesPerSecond / 1e9, ratios,
            result.Statistics.ConsumerWait.TotalSeconds, result.EpochTimes.Sum(t => t.TotalSeconds), peak.ResidentBytes, peak.AnonymousBytes, note);

    public BenchmarkReport ToReport(MachineInfo machine, string arguments, double seconds) => new(
        machine,
        arguments,
        seconds,
        new BenchmarkSettings(options.Threads, options.Epochs, options.BatchSize, options.ImageBatchSize, options.ChunkBytes, "first touch"),
        _packs,
        _baselines,
        _rows);

    public static void Log(string message) => Console.WriteLine($"{Elapsed()}   {message}");

    private static string Elapsed() => string.Create(CultureInfo.InvariantCulture, $"[{s_clock.Elapsed.TotalSeconds,6:F1} s]");
}
