using System.Diagnostics;
using System.Globalization;

namespace ShardPack;

/// <summary>
/// Progress for output that is not a terminal (a job log, a pipe): one plain line every interval with the samples
/// written, the input read per second and, when the input's size is known, the share done and the time left.
/// </summary>
internal sealed class PlainProgress(TextWriter writer, string what, long inputBytes, TimeSpan interval, Stopwatch clock)
{
    // Used by the importer's thread only: when the last line was written.
    private TimeSpan _last;

    /// <summary>Writes a line when the interval has passed since the last one (or since the start).</summary>
    public void Report(long samples, long bytes)
    {
        TimeSpan now = clock.Elapsed;
        if (now - _last < interval)
        {
            return;
        }

        _last = now;
        double seconds = Math.Max(now.TotalSeconds, 1e-3);
        string line = string.Create(CultureInfo.InvariantCulture, $"packing {what}: {samples:N0} samples, {bytes / seconds / 1e6:F1} MB/s of input");
        if (inputBytes > 0 && bytes > 0)
        {
            double done = Math.Min(1, (double)bytes / inputBytes);
            TimeSpan left = TimeSpan.FromSeconds(seconds * (1 - done) / done);
            line += string.Create(CultureInfo.InvariantCulture, $", {done * 100:F0}% of the input, about {FormatLeft(left)} left");
        }

        writer.WriteLine(line);
        writer.Flush();
    }

    private static string FormatLeft(TimeSpan left) =>
        left.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalHours}h {left.Minutes:D2}m")
        : left.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{left.Minutes}m {left.Seconds:D2}s")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(left.TotalSeconds)}s");
}
