using System.Globalization;
using ShardStore.Compression;
using ShardStore.Storage;

namespace ShardStore.Runner;

/// <summary>
/// What the throughput runner was asked to do: the typed result of its command line (built by
/// <see cref="Cli.RunnerCommand"/>), read by every scenario. Values not given on the command line hold their defaults.
/// </summary>
internal sealed record RunnerOptions
{
    /// <summary>MNIST-like samples of the main job and of a full benchmark run.</summary>
    public const long DefaultSamples = 200_000;

    /// <summary>MNIST-like samples of <c>--quick</c>; the image-like dataset gets the same raw bytes.</summary>
    public const long QuickSamples = 50_000;

    /// <summary>
    /// Samples the main job generates by default: enough that an epoch is at least ten times what the loader's batch
    /// slots hold in Window order over lz4 (about 174,000 samples, a group's span twice over, with pieces on), so slots
    /// filled before an epoch is timed do not flatter it.
    /// </summary>
    public const long MainJobSamples = 2_000_000;

    /// <summary>Samples of <c>--naive</c> with <c>--quick</c>.</summary>
    public const long QuickNaiveSamples = 20_000;

    /// <summary>Gets the codecs of the matrix when <c>--codecs</c> is not given.</summary>
    public static IReadOnlyList<CodecKind> AllCodecs { get; } = [CodecKind.None, CodecKind.Lz4, CodecKind.Lz4HC, CodecKind.Zstd];

    /// <summary>Gets the orders of the matrix when <c>--orders</c> is not given.</summary>
    public static IReadOnlyList<SampleOrder> AllOrders { get; } = [SampleOrder.Sequential, SampleOrder.Window, SampleOrder.Random];

    /// <summary>Gets the datasets of the matrix when <c>--datasets</c> is not given.</summary>
    public static IReadOnlyList<SyntheticDataset> AllDatasets { get; } = [SyntheticMnist.Instance, SyntheticImages.Instance];

    /// <summary>Gets <c>--samples</c> as given, or null.</summary>
    public long? GivenSamples { get; init; }

    /// <summary>Gets <c>--image-samples</c> as given, or null.</summary>
    public long? GivenImageSamples { get; init; }

    /// <summary>Gets <c>--naive-samples</c> as given, or null.</summary>
    public long? GivenNaiveSamples { get; init; }

    /// <summary>Gets <c>--epochs</c> as given, or null.</summary>
    public int? GivenEpochs { get; init; }

    /// <summary>Gets whether <c>--matrix</c> was given.</summary>
    public bool Matrix { get; init; }

    /// <summary>Gets whether <c>--naive</c> was given.</summary>
    public bool Naive { get; init; }

    /// <summary>Gets whether <c>--out-of-core</c> was given.</summary>
    public bool OutOfCore { get; init; }

    /// <summary>Gets the parts <c>--skip</c> leaves out: matrix, naive, out-of-core.</summary>
    public IReadOnlySet<string> Skip { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the MNIST-like sample count: <c>--samples</c>, else derived from <c>--size</c>, else the default of the mode.</summary>
    public long Samples => GivenSamples ?? SamplesFromSize(SyntheticMnist.Instance) ?? (Quick ? QuickSamples : DefaultSamples);

    /// <summary>Gets the samples of the main job: <see cref="Samples"/> when given, else <see cref="MainJobSamples"/>.</summary>
    public long MainJobSampleCount => GivenSamples ?? SamplesFromSize(SyntheticMnist.Instance) ?? MainJobSamples;

    /// <summary>Gets the chunk codec of the generated datasets (<c>--codec</c>; also the codec of <c>--out-of-core</c>).</summary>
    public CodecKind Codec { get; init; } = CodecKind.Lz4;

    /// <summary>Gets the threads for packing and reading (<c>--threads</c>).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Gets the measured epochs: <c>--epochs</c>, else 3 (2 with <c>--quick</c>).</summary>
    public int Epochs => GivenEpochs ?? (Quick ? 2 : 3);

    /// <summary>Gets where datasets are written (<c>--dir</c>), or null for a temporary directory.</summary>
    public string? Directory { get; init; }

    /// <summary>Gets the loader's order (<c>--order</c>).</summary>
    public SampleOrder Order { get; init; } = SampleOrder.Window;

    /// <summary>Gets the samples per batch (<c>--batch-size</c>).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Gets whether the loader's goals were asked for (<c>--goals</c>).</summary>
    public bool Goals { get; init; }

    /// <summary>Gets whether the mixture mode was asked for (<c>--mixture</c>).</summary>
    public bool Mixture { get; init; }

    /// <summary>Gets whether to run the shuffle-quality comparison of Window order (<c>--shuffle-quality</c>).</summary>
    public bool ShuffleQuality { get; init; }

    /// <summary>Gets whether the image pipeline scenario was asked for (<c>--images</c>).</summary>
    public bool Images { get; init; }

    /// <summary>Gets the number of JPEG files of <c>--images</c> (<c>--image-files</c>).</summary>
    public int ImageFiles { get; init; } = 2000;

    /// <summary>Gets the target raw bytes per chunk when packing (<c>--chunk-size</c>).</summary>
    public int ChunkBytes { get; init; } = 4 << 20;

    /// <summary>Gets the device of the GPU mode (cuda:N or host), or null when not asked for.</summary>
    public string? Device { get; init; }

    /// <summary>Gets the CUDA ordinal of <see cref="Device"/>, or null for host or no device.</summary>
    public int? DeviceOrdinal => Device is null or "host" ? null : int.Parse(Device.AsSpan(5), CultureInfo.InvariantCulture);

    /// <summary>Gets the device memory budget of the ring in bytes (<c>--device-budget</c>).</summary>
    public long DeviceBudgetBytes { get; init; } = 1L << 30;

    /// <summary>Gets the dataset size in bytes given with <c>--size</c>: raw bytes of each matrix dataset, bytes on disk for the out-of-core one.</summary>
    public long? Size { get; init; }

    /// <summary>Gets whether <c>--quick</c> was given.</summary>
    public bool Quick { get; init; }

    /// <summary>Gets how the out-of-core dataset is read (<c>--read-mode</c>); Auto reads a dataset over a quarter of RAM directly.</summary>
    public ShardReadMode ReadMode { get; init; } = ShardReadMode.Auto;

    /// <summary>Gets whether direct reads bypass the page cache (<c>--direct-io</c>, <c>--no-direct-io</c>); null leaves it to the read mode.</summary>
    public bool? DirectIo { get; init; }

    /// <summary>Gets whether the remote mode was asked for (<c>--remote</c>).</summary>
    public bool Remote { get; init; }

    /// <summary>Gets the S3 endpoint of the remote mode, or null to start moto_server (<c>--s3-endpoint</c>).</summary>
    public string? S3Endpoint { get; init; }

    /// <summary>Gets whether the matrix runs.</summary>
    public bool RunsMatrix => (Matrix || Quick) && !Skip.Contains("matrix");

    /// <summary>Gets whether the naive loaders run.</summary>
    public bool RunsNaive => (Naive || Matrix || Quick) && !Skip.Contains("naive");

    /// <summary>Gets whether the out-of-core part runs.</summary>
    public bool RunsOutOfCore => (OutOfCore || Matrix) && !Skip.Contains("out-of-core");

    /// <summary>Gets whether a benchmark part was asked for (<c>--matrix</c>, <c>--quick</c>, <c>--naive</c>, <c>--out-of-core</c>).</summary>
    public bool IsBenchmark => Matrix || Quick || Naive || OutOfCore;

    /// <summary>Gets the codecs of the matrix (<c>--codecs</c>).</summary>
    public IReadOnlyList<CodecKind> Codecs { get; init; } = AllCodecs;

    /// <summary>Gets the orders of the matrix (<c>--orders</c>).</summary>
    public IReadOnlyList<SampleOrder> Orders { get; init; } = AllOrders;

    /// <summary>Gets the datasets of the matrix (<c>--datasets</c>).</summary>
    public IReadOnlyList<SyntheticDataset> Datasets { get; init; } = AllDatasets;

    /// <summary>Gets the samples per batch of the image-like dataset (<c>--image-batch</c>).</summary>
    public int ImageBatchSize { get; init; } = 32;

    /// <summary>Gets the samples of <c>--naive</c>: <c>--naive-samples</c>, else the default of the mode.</summary>
    public long NaiveSamples => GivenNaiveSamples ?? (Quick ? QuickNaiveSamples : DefaultSamples);

    /// <summary>Gets the file the benchmark results are also written to as JSON (<c>--json</c>), or null.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Returns these options with another codec.</summary>
    public RunnerOptions WithCodec(CodecKind codec) => this with { Codec = codec };

    /// <summary>Gets the samples of one matrix dataset: from <c>--size</c>, else its own count option.</summary>
    public long SamplesOf(SyntheticDataset dataset) =>
        dataset == SyntheticMnist.Instance ? Samples
        : SamplesFromSize(dataset) ?? GivenImageSamples ?? Math.Max(1, Samples * SyntheticMnist.Instance.BytesPerSample / dataset.BytesPerSample);

    /// <summary>Gets the batch size used for one matrix dataset.</summary>
    public int BatchSizeOf(SyntheticDataset dataset) => dataset == SyntheticImages.Instance ? ImageBatchSize : BatchSize;

    private long? SamplesFromSize(SyntheticDataset dataset) => Size is { } size ? Math.Max(1, size / dataset.BytesPerSample) : null;
}
