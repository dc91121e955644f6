using System.Globalization;

namespace ShardPack.Commands;

/// <summary>Counts and sizes as a person reads them: "1 shard", "3 shards", "4.1 KiB (4,240 bytes)".</summary>
internal static class HumanUnits
{
    private static readonly string[] s_units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>Returns <paramref name="count"/> and the noun, plural unless the count is one.</summary>
    public static string Count(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? string.Empty : "s")}");

    /// <summary>Returns a size in binary units with three significant digits, and the exact bytes when a unit was used.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
        {
            return Count(bytes, "byte");
        }

        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < s_units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        string format = value >= 100 ? "F0" : value >= 10 ? "F1" : "F2";
        return string.Create(CultureInfo.InvariantCulture, $"{value.ToString(format, CultureInfo.InvariantCulture)} {s_units[unit]} ({bytes:N0} bytes)");
    }
}
