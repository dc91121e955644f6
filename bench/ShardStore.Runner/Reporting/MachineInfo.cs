using System.Globalization;
using System.Runtime.InteropServices;
using ShardStore.Codecs;

namespace ShardStore.Runner.Reporting;

/// <summary>The machine and software a run was measured on.</summary>
internal sealed record MachineInfo(
    string Cpu,
    int Cores,
    long MemoryBytes,
    string OperatingSystem,
    string Runtime,
    string ShardStore,
    string Lz4,
    string Zstd,
    string DataFileSystem,
    string PageCacheDrop,
    string Date)
{
    public static MachineInfo Describe(string dataDirectory) => new(
        CpuModel(),
        Environment.ProcessorCount,
        TotalMemoryBytes(),
        OsName(),
        RuntimeInformation.FrameworkDescription,
        typeof(ShardDataset).Assembly.GetName().Version?.ToString(3) ?? "unknown",
        NativeCodecs.Lz4Version,
        NativeCodecs.ZstdVersion,
        FileSystems.TypeOf(dataDirectory),
        PageCache.Describe(),
        DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));

    /// <summary>Gets the machine's physical memory: MemTotal of /proc/meminfo on Linux, what the runtime sees elsewhere.</summary>
    public static long TotalMemoryBytes() =>
        ProcField("/proc/meminfo", "MemTotal") is { } line && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture, out long kb)
            ? kb * 1024
            : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Cpu}, {Cores} cores, {MemoryBytes / (double)(1L << 30):F1} GiB RAM, {OperatingSystem}, {Runtime}, ShardStore {ShardStore}, liblz4 {Lz4}, libzstd {Zstd}, {Date}");

    private static string CpuModel() =>
        ProcField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();

    private static string OsName()
    {
        string? pretty = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')
            : null;
        string? kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : null;
        return pretty is null ? RuntimeInformation.OSDescription : $"{pretty}, Linux {kernel}";
    }

    // "key : value" lines of a /proc file; the value of the first line whose key matches.
    private static string? ProcField(string path, string key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (string line in File.ReadLines(path))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().SequenceEqual(key))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }
}
