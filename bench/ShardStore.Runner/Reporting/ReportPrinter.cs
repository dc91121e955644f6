using System.Globalization;

namespace ShardStore.Runner.Reporting;

/// <summary>Writes a <see cref="BenchmarkReport"/> as plain-text tables.</summary>
internal static class ReportPrinter
{
    public static void Write(BenchmarkReport report, TextWriter writer)
    {
        writer.WriteLine();
        writer.WriteLine($"Machine: {report.Machine}");
        writer.WriteLine($"Data on {report.Machine.DataFileSystem}; page cache drop: {report.Machine.PageCacheDrop}");
        BenchmarkSettings s = report.Settings;
        writer.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Batches of {s.BatchSize} (image-like: {s.ImageBatchSize}), {s.Threads} threads, chunks of {s.ChunkBytes / 1e6:F1} MB, checksums {s.Checksums}; warm rows: best of {s.Epochs} epochs after a warm-up pass; cold rows: one epoch"));

        if (report.Datasets.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Datasets");
            var packs = new TextTable(("dataset", false), ("codec", false), ("samples", true), ("raw GB", true), ("stored GB", true), ("ratio", true), ("shards", true), ("chunks", true), ("pack MB/s", true));
            foreach (PackRow p in report.Datasets)
            {
                packs.Add(p.Dataset, p.Codec, p.Samples.ToString("N0", CultureInfo.InvariantCulture), Units.Gb(p.RawBytes), Units.Gb(p.StoredBytes), F2(p.CompressionRatio) + "x",
                    p.Shards.ToString(CultureInfo.InvariantCulture), p.Chunks.ToString(CultureInfo.InvariantCulture), Units.Mb(p.RawBytes / p.PackSeconds));
            }

            packs.Write(writer);
        }

        if (report.Baselines.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Baselines (same run, same bytes)");
            var baselines = new TextTable(("dataset", false), ("codec", false), ("baseline", false), ("threads", true), ("GB/s", true), ("note", false));
            foreach (BaselineRow b in report.Baselines)
            {
                baselines.Add(b.Dataset, b.Codec, b.Name, b.Threads.ToString(CultureInfo.InvariantCulture), b.GigabytesPerSecond is { } g ? F2(g) : "-", b.Note ?? string.Empty);
            }

            baselines.Write(writer);
        }

        if (report.Rows.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Results (GB/s: raw sample bytes delivered; ratio: against the baselines named)");
            var rows = new TextTable(
                ("scenario", false), ("dataset", false), ("codec", false), ("order", false), ("cache", false), ("threads", true), ("samples/s", true), ("GB/s", true),
                ("wait", true), ("peak RSS", true), ("peak anon", true), ("ratio", false), ("note", false));
            foreach (ResultRow r in report.Rows)
            {
                rows.Add(
                    r.Scenario, r.Dataset, r.Codec, r.Order, r.Cache, r.Threads.ToString(CultureInfo.InvariantCulture),
                    r.SamplesPerSecond is { } sps ? Units.Rate(sps) : "-",
                    r.GigabytesPerSecond is { } g ? F2(g) : "-",
                    r.ConsumerWaitSeconds is { } w ? Units.Seconds(w) : "-",
                    Memory(r.PeakRssBytes, r.SamplesPerSecond is null),
                    Memory(r.PeakAnonBytes, r.SamplesPerSecond is null),
                    string.Join("; ", r.Ratios.Select(x => $"{F2(x.Value)}x {x.Baseline}")),
                    r.Note ?? string.Empty);
            }

            rows.Write(writer);
        }
    }

    private static string Memory(long? bytes, bool skipped) => bytes is { } b ? Units.MiB(b) : skipped ? "-" : "n/a";

    private static string F2(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
