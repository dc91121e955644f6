using System.CommandLine;
using System.Globalization;
using ShardStore;
using ShardStore.Compression;
using ShardStore.Storage;

namespace ShardPack.Commands;

/// <summary>
/// The options that shardpack's commands and the benchmark runner (bench/ShardStore.Runner) both take for the same thing,
/// each defined once: name, aliases, value name, description, default, and how its value is read and checked. The runner
/// compiles this file into its own assembly (it does not reference shardpack), so a flag is spelled, defaulted and refused
/// the same way wherever it appears. Each factory returns a new option, to be added to one command.
/// </summary>
/// <remarks>
/// Values are read after parsing by the <c>Get</c> and <c>Parse</c> methods, which throw <see cref="UsageException"/>
/// (exit code 2) naming the option; both programs report that exception as a usage error.
/// </remarks>
internal static class SharedOptions
{
    /// <summary>The description every <c>--epochs</c> starts with; <see cref="Epochs"/> adds what the command does with them.</summary>
    public const string EpochsDescription = "Number of epochs, at least 1.";

    /// <summary>Creates <c>--codec</c>, the chunk codec (default lz4); read it with <see cref="GetCodec"/>.</summary>
    public static Option<string> Codec() => new("--codec")
    {
        HelpName = "none|lz4|lz4hc|zstd",
        Description = "Chunk codec: none, lz4, lz4hc, zstd.",
        DefaultValueFactory = _ => "lz4",
    };

    /// <summary>Creates <c>--chunk-size</c>, the target raw bytes of a chunk when packing (default 4M); read it with <see cref="GetChunkBytes"/>.</summary>
    public static Option<string> ChunkSize() => new("--chunk-size")
    {
        HelpName = "BYTES",
        Description = "Target raw chunk size, e.g. 4M (binary units K, M, G, T).",
        DefaultValueFactory = _ => "4M",
    };

    /// <summary>Creates <c>--threads</c>, the worker threads (default: all cores); read it with <see cref="GetThreads"/>.</summary>
    public static Option<int> Threads() => new("--threads")
    {
        HelpName = "N",
        Description = "Worker threads: compression when packing, decoding when reading; all cores by default.",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    /// <summary>Creates <c>--order</c>, the loader's sample order (default window); read it with <see cref="GetOrder"/>.</summary>
    public static Option<string> Order() => new("--order")
    {
        HelpName = "sequential|window|random",
        Description = "sequential, window or random (the loader's default, window, when omitted).",
        DefaultValueFactory = _ => "window",
    };

    /// <summary>Creates <c>--batch-size</c>, the samples per batch (default 256); read it with <see cref="GetBatchSize"/>.</summary>
    public static Option<int> BatchSize() => new("--batch-size")
    {
        HelpName = "N",
        Description = "Samples per batch; the order depends on it.",
        DefaultValueFactory = _ => 256,
    };

    /// <summary>Creates <c>--epochs</c>; read it with <see cref="GetEpochs"/>.</summary>
    /// <param name="use">What the command does with the epochs, appended to <see cref="EpochsDescription"/>.</param>
    /// <param name="defaultValue">The default, or null where it depends on other options (the command says which in <paramref name="use"/>).</param>
    public static Option<int> Epochs(string use, int? defaultValue = null)
    {
        var option = new Option<int>("--epochs") { HelpName = "N", Description = $"{EpochsDescription} {use}" };
        if (defaultValue is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    /// <summary>Creates <c>--read-mode</c>, how a local dataset is read (default auto); read it with <see cref="ParseReadMode"/>.</summary>
    public static Option<string> ReadMode() => new("--read-mode")
    {
        HelpName = "auto|mapped|direct",
        Description = "How a local dataset is read: auto (mapped when its files fit in a quarter of memory, direct reads otherwise), mapped or direct.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>Creates <c>--direct-io</c>: direct reads bypass the page cache.</summary>
    public static Option<bool> DirectIo() => new("--direct-io")
    {
        Description = "Direct reads bypass the page cache (O_DIRECT) where the file system allows it, the dataset reading planned chunks ahead itself.",
    };

    /// <summary>Reads <c>--codec</c>.</summary>
    /// <exception cref="UsageException">Not a codec name.</exception>
    public static CodecKind GetCodec(ParseResult result, Option<string> option) => ParseCodec(result.GetValue(option)!, option.Name);

    /// <summary>Reads <c>--chunk-size</c> as bytes, at most <see cref="DatasetWriterOptions.MaxChunkTargetBytes"/>.</summary>
    /// <exception cref="UsageException">Not a positive size.</exception>
    public static int GetChunkBytes(ParseResult result, Option<string> option) =>
        (int)Math.Min(ParseSize(result.GetValue(option)!, option.Name), DatasetWriterOptions.MaxChunkTargetBytes);

    /// <summary>Reads <c>--threads</c>.</summary>
    /// <exception cref="UsageException">Less than 1.</exception>
    public static int GetThreads(ParseResult result, Option<int> option) =>
        result.GetValue(option) is >= 1 and var threads ? threads : throw new UsageException($"{option.Name} must be at least 1.");

    /// <summary>Reads <c>--order</c>.</summary>
    /// <exception cref="UsageException">Not an order name.</exception>
    public static SampleOrder GetOrder(ParseResult result, Option<string> option) => ParseOrder(result.GetValue(option)!, option.Name);

    /// <summary>Reads <c>--batch-size</c>.</summary>
    /// <exception cref="UsageException">Less than 1.</exception>
    public static int GetBatchSize(ParseResult result, Option<int> option) =>
        result.GetValue(option) is >= 1 and var size ? size : throw new UsageException($"{option.Name} must be at least 1.");

    /// <summary>Reads <c>--epochs</c>: its value, or null when it was not given and has no default.</summary>
    /// <exception cref="UsageException">Less than 1.</exception>
    public static int? GetEpochs(ParseResult result, Option<int> option)
    {
        if (result.GetResult(option) is null)
        {
            return null;
        }

        int epochs = result.GetValue(option);
        return epochs >= 1 ? epochs : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{option.Name} {epochs}: give at least 1."));
    }

    /// <summary>Parses a codec name: none, lz4, lz4hc or zstd.</summary>
    /// <exception cref="UsageException">Not a codec name; the message names <paramref name="option"/>.</exception>
    public static CodecKind ParseCodec(string text, string option) =>
        CodecNames.TryParse(text, out CodecKind codec) ? codec : throw new UsageException($"{option} '{text}': use none, lz4, lz4hc or zstd.");

    /// <summary>Parses an order name: sequential, window or random, in any case.</summary>
    /// <exception cref="UsageException">Not an order name; the message names <paramref name="option"/>.</exception>
    public static SampleOrder ParseOrder(string text, string option) =>
        text.Length > 0 && !char.IsDigit(text[0]) && Enum.TryParse(text, ignoreCase: true, out SampleOrder order) && Enum.IsDefined(order)
            ? order
            : throw new UsageException($"{option} '{text}': use sequential, window or random.");

    /// <summary>Parses a read mode: auto, mapped or direct, in any case.</summary>
    /// <exception cref="UsageException">Not a read mode.</exception>
    public static ShardReadMode ParseReadMode(string text) =>
        text.Length > 0 && !char.IsDigit(text[0]) && Enum.TryParse(text, ignoreCase: true, out ShardReadMode mode) && Enum.IsDefined(mode)
            ? mode
            : throw new UsageException($"--read-mode '{text}': use auto, mapped or direct.");

    /// <summary>Parses a byte size such as <c>4194304</c>, <c>64K</c>, <c>4M</c>, <c>1G</c> (binary units; a trailing B or iB is allowed).</summary>
    /// <exception cref="UsageException">Not a positive size; the message names <paramref name="option"/>.</exception>
    public static long ParseSize(string text, string option)
    {
        string t = text.Trim().ToUpperInvariant();
        t = t.EndsWith("IB", StringComparison.Ordinal) ? t[..^2] : t.EndsWith('B') ? t[..^1] : t;
        int shift = t.Length == 0 ? 0 : t[^1] switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        string digits = shift == 0 ? t : t[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0 && value <= (long.MaxValue >> shift)
            ? value << shift
            : throw new UsageException($"{option} '{text}' is not a size; use e.g. 4M, 512K or 1G.");
    }
}
