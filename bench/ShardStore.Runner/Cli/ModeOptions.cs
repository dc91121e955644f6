using System.CommandLine;
using System.Globalization;
using ShardPack;

namespace ShardStore.Runner.Cli;

/// <summary>The runner's options that choose what it runs: the main job (none of these), one scenario, or benchmark parts.</summary>
internal sealed class ModeOptions
{
    private static readonly string[] s_parts = ["matrix", "naive", "out-of-core"];

    /// <summary>Gets <c>--goals</c>.</summary>
    public Option<bool> Goals { get; } = new("--goals")
    {
        Description = "Measure the loader's goals instead: Sequential and Random order over uncompressed chunks against two-thread memcpy, "
            + "Window order over lz4 chunks against native LZ4 decode of the same chunks (packs both datasets).",
    };

    /// <summary>Gets <c>--mixture</c>.</summary>
    public Option<bool> Mixture { get; } = new("--mixture")
    {
        Description = "A loader over a mixture of three lz4 datasets (half, 0.3 and 0.2 of --samples, weighted by size) against the loader "
            + "over one dataset of --samples, Window order, page-cached, in alternating rows (--epochs rows, at least 3).",
    };

    /// <summary>Gets <c>--shuffle-quality</c>.</summary>
    public Option<bool> ShuffleQuality { get; } = new("--shuffle-quality")
    {
        Description = "Window order on 200 classes x 64 samples of 16 KiB packed in class order (lz4): classes and chunks per batch against "
            + "Random order, and throughput against whole-chunk windows in alternating rows (--epochs rounds, at least 2).",
    };

    /// <summary>Gets <c>--images</c>.</summary>
    public Option<bool> Images { get; } = new("--images")
    {
        Description = "The image pipeline: writes --image-files JPEGs (about 500 x 375, quality 90, cut from scikit-image's photographs by "
            + "python3 + PIL) as an ImageFolder, packs them, and measures ShardLoader + ImageTransform (RandomResizedCrop 224, flip, normalize "
            + "to f16 CHW, --threads workers, Window order) against torchvision's ImageFolder + DataLoader at its best worker count of 0-3 "
            + "(python3-torchvision), and ImageDecoder's one-thread decode against TurboJPEG's own rate (bench/experiments/tjdecode.c, "
            + "built with gcc; needs libturbojpeg0-dev).",
    };

    /// <summary>Gets <c>--device</c>.</summary>
    public Option<string?> Device { get; } = new("--device")
    {
        HelpName = "cuda:N|host",
        Description = "GPU mode: cuda:N or host (emulated device); streams the loader into the device ring and reports GB/s against a plain "
            + "async copy loop from pinned memory, the consumer's wait, and the device's idle fraction under a simulated consumer.",
    };

    /// <summary>Gets <c>--remote</c>.</summary>
    public Option<bool> Remote { get; } = new("--remote")
    {
        Description = "A dataset in a local S3 API server (moto_server on loopback, started and stopped here, or --s3-endpoint with "
            + "credentials from the environment): the loader against a loop of parallel ranged GETs of the same chunks; bytes fetched over "
            + "3 epochs with a cache of half the dataset, evicting by plan and by recency; open time of it and of 3,000 shards.",
    };

    /// <summary>Gets <c>--matrix</c>.</summary>
    public Option<bool> Matrix { get; } = new("--matrix")
    {
        Description = "The full benchmark run: the matrix (--datasets x --codecs x --orders; every figure a ratio to a baseline measured in "
            + "the same run on the same bytes), then --naive, then --out-of-core.",
    };

    /// <summary>Gets <c>--quick</c>.</summary>
    public Option<bool> Quick { get; } = new("--quick")
    {
        Description = "The matrix and --naive at small sizes (50000 MNIST-like samples, image-like data of the same raw bytes, 20000 "
            + "samples as files); under two minutes on two cores.",
    };

    /// <summary>Gets <c>--naive</c>.</summary>
    public Option<bool> Naive { get; } = new("--naive")
    {
        Description = "Naive loaders on MNIST-like data against ShardLoader Random order over uncompressed shards: one file per sample read "
            + "with File.ReadAllBytes in shuffled order into batch arrays (1 and N threads), and a generator copying shuffled rows out of "
            + "in-memory arrays.",
    };

    /// <summary>Gets <c>--out-of-core</c>.</summary>
    public Option<bool> OutOfCore { get; } = new("--out-of-core")
    {
        Description = "A dataset of 1.5x the machine's RAM on disk (--size overrides; packed with --codec, default lz4), streamed in Window "
            + "order from a cold cache (read as --read-mode and --direct-io say): throughput against a cold sequential read of the same files, and "
            + "peak anonymous RSS against 1 GiB. "
            + "Needs that much free disk plus 5%, at least 1 GiB more (about 37 GB on a 23 GiB machine); refuses otherwise.",
    };

    /// <summary>Gets <c>--skip</c>.</summary>
    public Option<string?> Skip { get; } = new("--skip")
    {
        HelpName = "PARTS",
        Description = "Comma-separated parts to leave out of --matrix or --quick: matrix, naive, out-of-core.",
    };

    /// <summary>Gets the options, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Goals, Mixture, ShuffleQuality, Images, Device, Remote, Matrix, Quick, Naive, OutOfCore, Skip];

    /// <summary>Reads these options into <paramref name="options"/>.</summary>
    /// <exception cref="UsageException">A value is wrong; the message names the option.</exception>
    public RunnerOptions Read(ParseResult result, RunnerOptions options) => options with
    {
        Goals = result.GetValue(Goals),
        Mixture = result.GetValue(Mixture),
        ShuffleQuality = result.GetValue(ShuffleQuality),
        Images = result.GetValue(Images),
        Device = ParseDevice(result.GetValue(Device)),
        Remote = result.GetValue(Remote),
        Matrix = result.GetValue(Matrix),
        Quick = result.GetValue(Quick),
        Naive = result.GetValue(Naive),
        OutOfCore = result.GetValue(OutOfCore),
        Skip = result.GetValue(Skip) is { } skip
            ? new HashSet<string>(OptionLists.Parse(skip, "--skip", ParsePart), StringComparer.OrdinalIgnoreCase)
            : options.Skip,
    };

    private static string? ParseDevice(string? device) =>
        device is null or "host"
        || (device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            ? device
            : throw new UsageException($"--device '{device}': use cuda:N (cuda:0 for the first GPU) or host.");

    private static string ParsePart(string part) =>
        s_parts.FirstOrDefault(p => p.Equals(part, StringComparison.OrdinalIgnoreCase))
        ?? throw new UsageException($"--skip '{part}': use matrix, naive or out-of-core.");
}
