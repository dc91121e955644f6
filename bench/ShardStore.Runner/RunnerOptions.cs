using System.Globalization;
using ShardStore.Compression;

namespace ShardStore.Runner;

/// <summary>Command-line options of the throughput runner.</summary>
internal sealed class RunnerOptions
{
    public long Samples { get; private set; } = 200_000;

    public CodecKind Codec { get; private set; } = CodecKind.Lz4;

    public int Threads { get; private set; } = Environment.ProcessorCount;

    public int Epochs { get; private set; } = 3;

    public string? Directory { get; private set; }

    public SampleOrder Order { get; private set; } = SampleOrder.Window;

    public int BatchSize { get; private set; } = 256;

    public bool Goals { get; private set; }

    public int ChunkBytes { get; private set; } = 4 << 20;

    /// <summary>Gets the device of the GPU mode (cuda:N or host), or null when not asked for.</summary>
    public string? Device { get; private set; }

    public int? DeviceOrdinal => Device is null or "host" ? null : int.Parse(Device.AsSpan(5), CultureInfo.InvariantCulture);

    public long DeviceBudgetBytes { get; private set; } = 1L << 30;

    public static string Usage =>
        """
        ShardStore throughput runner: generates an MNIST-like dataset (784 float32 + int64 label per sample),
        packs it, streams it with ShardLoader on all cores, and reports throughput against memcpy of the same bytes.

          --samples N      samples to generate (default 200000, about 628 MB raw)
          --codec C        none | lz4 | lz4hc | zstd (default lz4)
          --threads N      threads for packing and reading (default: all cores)
          --epochs N       passes over the dataset; the best is reported (default 3)
          --order O        sequential | window | random (default window)
          --batch N        samples per batch (default 256)
          --chunk-size N   target raw bytes per chunk when packing (default 4194304)
          --goals          measure the loader's goals instead: Sequential and Random order over uncompressed
                           chunks against two-thread memcpy, Window order over lz4 chunks against native
                           LZ4 decode of the same chunks (packs both datasets)
          --dir PATH       where to write the dataset (default: a temporary directory, deleted afterwards)
          --device D       GPU mode: cuda:N or host (emulated device); streams the loader into the device ring and
                           reports GB/s against a plain async copy loop from pinned memory, the consumer's wait,
                           and the device's idle fraction under a simulated consumer
          --device-budget N  device memory budget of the ring in bytes (default 1073741824)
        """;

    public RunnerOptions WithCodec(CodecKind codec)
    {
        var copy = (RunnerOptions)MemberwiseClone();
        copy.Codec = codec;
        return copy;
    }

    public static RunnerOptions? Parse(string[] args)
    {
        var o = new RunnerOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : string.Empty;
            switch (args[i])
            {
                case "--samples": o.Samples = long.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--threads": o.Threads = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--epochs": o.Epochs = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--dir": o.Directory = value; i++; break;
                case "--batch": o.BatchSize = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--goals": o.Goals = true; break;
                case "--device":
                    o.Device = value == "host" || (value.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        ? value
                        : throw new ArgumentException($"Unknown device '{value}'; use cuda:0 (cuda:N) or host.");
                    i++;
                    break;
                case "--device-budget": o.DeviceBudgetBytes = long.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--chunk-size": o.ChunkBytes = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--order":
                    o.Order = Enum.TryParse(value, ignoreCase: true, out SampleOrder order) && Enum.IsDefined(order) && !char.IsDigit(value[0])
                        ? order
                        : throw new ArgumentException($"Unknown order '{value}'; use sequential, window or random.");
                    i++;
                    break;
                case "--codec":
                    if (!CodecNames.TryParse(value, out CodecKind codec))
                    {
                        throw new ArgumentException($"Unknown codec '{value}'; use none, lz4, lz4hc or zstd.");
                    }

                    o.Codec = codec;
                    i++;
                    break;
                case "-h" or "--help": return null;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}");
            }
        }

        if (o.Samples < 1 || o.Threads < 1 || o.Epochs < 1 || o.BatchSize < 1 || o.ChunkBytes < 1)
        {
            throw new ArgumentException("--samples, --threads, --epochs and --batch must be positive.");
        }

        return o;
    }
}
