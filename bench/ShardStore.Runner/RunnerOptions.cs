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

    public static string Usage =>
        """
        ShardStore throughput runner: generates an MNIST-like dataset (784 float32 + int64 label per sample),
        packs it, streams every chunk on all cores, and reports throughput against memcpy of the same bytes.

          --samples N      samples to generate (default 200000, about 628 MB raw)
          --codec C        none | lz4 | lz4hc | zstd (default lz4)
          --threads N      threads for packing and reading (default: all cores)
          --epochs N       passes over the dataset; the best is reported (default 3)
          --dir PATH       where to write the dataset (default: a temporary directory, deleted afterwards)
        """;

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

        if (o.Samples < 1 || o.Threads < 1 || o.Epochs < 1)
        {
            throw new ArgumentException("--samples, --threads and --epochs must be positive.");
        }

        return o;
    }
}
