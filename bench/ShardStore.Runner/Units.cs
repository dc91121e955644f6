using System.Globalization;

namespace ShardStore.Runner;

/// <summary>How the runner writes quantities: decimal GB and MB, invariant culture.</summary>
internal static class Units
{
    public static string Gb(double bytes) => (bytes / 1e9).ToString("F2", CultureInfo.InvariantCulture);

    public static string Mb(double bytes) => (bytes / 1e6).ToString("F0", CultureInfo.InvariantCulture);

    public static string MiB(long bytes) => (bytes / (double)(1 << 20)).ToString("F0", CultureInfo.InvariantCulture) + " MiB";

    public static string Rate(double samplesPerSecond) =>
        samplesPerSecond >= 1e6 ? (samplesPerSecond / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M"
        : samplesPerSecond >= 1e3 ? (samplesPerSecond / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " k"
        : samplesPerSecond.ToString("F0", CultureInfo.InvariantCulture);

    public static string Seconds(double seconds) => seconds.ToString("F2", CultureInfo.InvariantCulture) + " s";
}
