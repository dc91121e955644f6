using System.CommandLine;
using System.Globalization;
using ShardPack;
using ShardPack.Commands;

namespace ShardStore.Runner.Cli;

/// <summary>The runner's options that size what it generates: sample counts, dataset bytes, files, image batches, the device budget.</summary>
internal sealed class SizeOptions
{
    /// <summary>Gets <c>--samples</c>.</summary>
    public Option<long> Samples { get; } = new("--samples")
    {
        HelpName = "N",
        Description = "MNIST-like samples to generate (default 2000000, about 6.3 GB raw, for the main job; 200000, about 628 MB raw, for the "
            + "benchmark modes; 50000 with --quick).",
    };

    /// <summary>Gets <c>--size</c>.</summary>
    public Option<string?> Size { get; } = new("--size")
    {
        HelpName = "BYTES",
        Description = "Dataset size instead of a sample count: raw bytes of each generated dataset, bytes on disk for --out-of-core; binary "
            + "units K, M, G, T: 500M, 2G.",
    };

    /// <summary>Gets <c>--image-samples</c>.</summary>
    public Option<long> ImageSamples { get; } = new("--image-samples")
    {
        HelpName = "N",
        Description = "Image-like samples of the matrix (default: the raw bytes of the MNIST-like dataset).",
    };

    /// <summary>Gets <c>--image-batch</c>.</summary>
    public Option<int> ImageBatch { get; } = new("--image-batch")
    {
        HelpName = "N",
        Description = "Samples per batch for the image-like dataset of the matrix.",
        DefaultValueFactory = _ => 32,
    };

    /// <summary>Gets <c>--naive-samples</c>.</summary>
    public Option<long> NaiveSamples { get; } = new("--naive-samples")
    {
        HelpName = "N",
        Description = "Samples of --naive, one file each (default 200000; 20000 with --quick).",
    };

    /// <summary>Gets <c>--image-files</c>.</summary>
    public Option<int> ImageFiles { get; } = new("--image-files")
    {
        HelpName = "N",
        Description = "JPEG files of --images.",
        DefaultValueFactory = _ => 2000,
    };

    /// <summary>Gets <c>--device-budget</c>.</summary>
    public Option<string> DeviceBudget { get; } = new("--device-budget")
    {
        HelpName = "BYTES",
        Description = "Device memory budget of the --device ring, e.g. 512M (binary units K, M, G, T).",
        DefaultValueFactory = _ => "1G",
    };

    /// <summary>Gets the options, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Samples, Size, ImageSamples, ImageBatch, NaiveSamples, ImageFiles, DeviceBudget];

    /// <summary>Reads these options into <paramref name="options"/>.</summary>
    /// <exception cref="UsageException">A value is wrong; the message names the option.</exception>
    public RunnerOptions Read(ParseResult result, RunnerOptions options)
    {
        options = options with
        {
            GivenSamples = Positive(result, Samples),
            Size = result.GetValue(Size) is { } size ? SharedOptions.ParseSize(size, Size.Name) : null,
            GivenImageSamples = Positive(result, ImageSamples),
            ImageBatchSize = (int)Positive(result, ImageBatch),
            GivenNaiveSamples = Positive(result, NaiveSamples),
            ImageFiles = (int)Positive(result, ImageFiles),
            DeviceBudgetBytes = SharedOptions.ParseSize(result.GetValue(DeviceBudget)!, DeviceBudget.Name),
        };
        if (options.Size is not null && (options.GivenSamples is not null || options.GivenImageSamples is not null))
        {
            throw new UsageException("give the dataset size either as --size or as --samples/--image-samples, not both.");
        }

        return options;
    }

    // Null when not given: these have no default of their own, the mode decides.
    private static long? Positive(ParseResult result, Option<long> option) =>
        result.GetResult(option) is null ? null
        : result.GetValue(option) is >= 1 and var n ? n
        : throw NotPositive(option, result.GetValue(option));

    private static long Positive(ParseResult result, Option<int> option) =>
        result.GetValue(option) is >= 1 and var n ? n : throw NotPositive(option, result.GetValue(option));

    private static UsageException NotPositive(Option option, long value) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{option.Name} {value}: give at least 1."));
}
