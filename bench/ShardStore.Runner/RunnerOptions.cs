using System.Globalization;
using ShardStore.Compression;

namespace ShardStore.Runner;

/// <summary>Command-line options of the throughput runner.</summary>
internal sealed class RunnerOptions
{
    /// <summary>MNIST-like samples of the main job and of a full benchmark run.</summary>
    public const long DefaultSamples = 200_000;

    /// <summary>MNIST-like samples of <c>--quick</c>; the image-like dataset gets the same raw bytes.</summary>
    public const long QuickSamples = 50_000;

    /// <summary>
    /// Samples the main job generates by default: enough that an epoch is at least ten times what the loader's batch
    /// slots hold in Window order over lz4 (about 21,000 samples), so slots filled before an epoch is timed do not flatter it.
    /// </summary>
    public const long MainJobSamples = 500_000;

    public const long QuickNaiveSamples = 20_000;

    private static readonly CodecKind[] s_allCodecs = [CodecKind.None, CodecKind.Lz4, CodecKind.Lz4HC, CodecKind.Zstd];
    private static readonly SampleOrder[] s_allOrders = [SampleOrder.Sequential, SampleOrder.Window, SampleOrder.Random];
    private static readonly SyntheticDataset[] s_allDatasets = [SyntheticMnist.Instance, SyntheticImages.Instance];

    private long? _samples;
    private long? _imageSamples;
    private long? _naiveSamples;
    private int? _epochs;
    private bool _matrix;
    private bool _naive;
    private bool _outOfCore;
    private readonly HashSet<string> _skip = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the MNIST-like sample count: <c>--samples</c>, else derived from <c>--size</c>, else the default of the mode.</summary>
    public long Samples => _samples ?? SamplesFromSize(SyntheticMnist.Instance) ?? (Quick ? QuickSamples : DefaultSamples);

    /// <summary>Gets the samples of the main job: <see cref="Samples"/> when given, else <see cref="MainJobSamples"/>.</summary>
    public long MainJobSampleCount => _samples ?? SamplesFromSize(SyntheticMnist.Instance) ?? MainJobSamples;

    public CodecKind Codec { get; private set; } = CodecKind.Lz4;

    public int Threads { get; private set; } = Environment.ProcessorCount;

    public int Epochs => _epochs ?? (Quick ? 2 : 3);

    public string? Directory { get; private set; }

    public SampleOrder Order { get; private set; } = SampleOrder.Window;

    public int BatchSize { get; private set; } = 256;

    public bool Goals { get; private set; }

    /// <summary>Gets whether the mixture mode was asked for (<c>--mixture</c>).</summary>
    public bool Mixture { get; private set; }

    /// <summary>Gets whether to run the shuffle-quality comparison of Window order (<c>--shuffle-quality</c>).</summary>
    public bool ShuffleQuality { get; private set; }

    /// <summary>Gets whether the image pipeline scenario was asked for (<c>--images</c>).</summary>
    public bool Images { get; private set; }

    /// <summary>Gets the number of JPEG files of <c>--images</c> (<c>--image-files</c>).</summary>
    public int ImageFiles { get; private set; } = 2000;

    public int ChunkBytes { get; private set; } = 4 << 20;

    /// <summary>Gets the device of the GPU mode (cuda:N or host), or null when not asked for.</summary>
    public string? Device { get; private set; }

    public int? DeviceOrdinal => Device is null or "host" ? null : int.Parse(Device.AsSpan(5), CultureInfo.InvariantCulture);

    public long DeviceBudgetBytes { get; private set; } = 1L << 30;

    /// <summary>Gets the dataset size in bytes given with <c>--size</c>: raw bytes of each matrix dataset, bytes on disk for the out-of-core one.</summary>
    public long? Size { get; private set; }

    public bool Quick { get; private set; }

    /// <summary>Gets how the out-of-core dataset is read (<c>--read-mode</c>); Auto reads a dataset over a quarter of RAM directly.</summary>
    public ShardStore.Storage.ShardReadMode ReadMode { get; private set; } = ShardStore.Storage.ShardReadMode.Auto;

    /// <summary>Gets whether direct reads bypass the page cache (<c>--direct-io</c>, <c>--no-direct-io</c>); null leaves it to the read mode.</summary>
    public bool? DirectIo { get; private set; }

    /// <summary>Gets whether the remote mode was asked for (<c>--remote</c>).</summary>
    public bool Remote { get; private set; }

    /// <summary>Gets the S3 endpoint of the remote mode, or null to start moto_server (<c>--s3-endpoint</c>).</summary>
    public string? S3Endpoint { get; private set; }

    public bool RunsMatrix => (_matrix || Quick) && !_skip.Contains("matrix");

    public bool RunsNaive => (_naive || _matrix || Quick) && !_skip.Contains("naive");

    public bool RunsOutOfCore => (_outOfCore || _matrix) && !_skip.Contains("out-of-core");

    /// <summary>Gets whether a benchmark part was asked for (<c>--matrix</c>, <c>--quick</c>, <c>--naive</c>, <c>--out-of-core</c>).</summary>
    public bool IsBenchmark => _matrix || Quick || _naive || _outOfCore;

    public IReadOnlyList<CodecKind> Codecs { get; private set; } = s_allCodecs;

    public IReadOnlyList<SampleOrder> Orders { get; private set; } = s_allOrders;

    public IReadOnlyList<SyntheticDataset> Datasets { get; private set; } = s_allDatasets;

    public int ImageBatchSize { get; private set; } = 32;

    public long NaiveSamples => _naiveSamples ?? (Quick ? QuickNaiveSamples : DefaultSamples);

    public string? JsonPath { get; private set; }

    public static string Usage =>
        """
        ShardStore throughput runner: generates an MNIST-like dataset (784 float32 + int64 label per sample),
        packs it, streams it with ShardLoader on all cores, and reports throughput against memcpy of the same bytes.

          --samples N      samples to generate (default 500000, about 1.57 GB raw, for the main job;
                           200000, about 628 MB raw, for the benchmark modes)
          --size BYTES     dataset size instead of a sample count: raw bytes of each generated dataset, bytes on
                           disk for --out-of-core; suffixes K, M, G, T (powers of 1024): 500M, 2G
          --codec C        none | lz4 | lz4hc | zstd (default lz4; also the codec of --out-of-core)
          --threads N      threads for packing and reading (default: all cores)
          --epochs N       passes over the dataset; the best is reported (default 3; 2 with --quick); the
                           main job runs one more first, which verifies checksums and warms up
          --order O        sequential | window | random (default window)
          --batch-size N   samples per batch (default 256; --batch N is the same), as in shardpack order
          --chunk-size N   target raw bytes per chunk when packing (default 4M)
          --goals          measure the loader's goals instead: Sequential and Random order over uncompressed
                           chunks against two-thread memcpy, Window order over lz4 chunks against native
                           LZ4 decode of the same chunks (packs both datasets)
          --mixture        a loader over a mixture of three lz4 datasets (half, 0.3 and 0.2 of --samples, weighted by
                           size) against the loader over one dataset of --samples, Window order, page-cached, in
                           alternating rows (--epochs rows, at least 3)
          --shuffle-quality  Window order on 200 classes x 64 samples of 16 KiB packed in class order (lz4): classes
                           and chunks per batch against Random order, and throughput against whole-chunk windows in
                           alternating rows (--epochs rounds, at least 2)
          --images         the image pipeline: writes --image-files JPEGs (about 500 x 375, quality 90, cut from
                           scikit-image's photographs by python3 + PIL) as an ImageFolder, packs them, and measures
                           ShardLoader + ImageTransform (RandomResizedCrop 224, flip, normalize to f16 CHW, --threads
                           workers, Window order) against torchvision's ImageFolder + DataLoader at its best worker
                           count of 0-3 (python3-torchvision), and ImageDecoder's one-thread decode against TurboJPEG's
                           own rate (bench/experiments/tjdecode.c, built with gcc; needs libturbojpeg0-dev)
          --image-files N  JPEG files of --images (default 2000)
          --dir PATH       where to write datasets (default: a temporary directory, deleted afterwards)
          --device D       GPU mode: cuda:N or host (emulated device); streams the loader into the device ring and
                           reports GB/s against a plain async copy loop from pinned memory, the consumer's wait,
                           and the device's idle fraction under a simulated consumer
          --device-budget N  device memory budget of the ring in bytes (default 1073741824)

        Benchmark matrix (every figure is a ratio to a baseline measured in the same run on the same bytes):

          --matrix         the full run: the matrix below, then --naive, then --out-of-core
          --quick          the matrix and --naive at small sizes (50000 MNIST-like samples, image-like data of the
                           same raw bytes, 20000 samples as files); under two minutes on two cores
          --datasets L     comma-separated: mnist (784 float32 + int64 label), image (about 150 KB of RGB bytes,
                           variable length, + int64 label); default both. Each is packed with each codec and
                           streamed in each order; --size sets each dataset's raw size, --samples the MNIST-like
                           count, --image-samples the image-like count (default: the MNIST-like raw bytes)
          --image-samples N  image-like samples
          --image-batch N  samples per batch for the image-like dataset (default 32)
          --codecs L       comma-separated codecs of the matrix (default none,lz4,lz4hc,zstd)
          --orders L       comma-separated orders of the matrix (default sequential,window,random)
          --naive          naive loaders on MNIST-like data against ShardLoader Random order over uncompressed
                           shards: one file per sample read with File.ReadAllBytes in shuffled order into batch
                           arrays (1 and N threads), and a generator copying shuffled rows out of in-memory arrays
          --naive-samples N  samples of --naive (default 200000; 20000 with --quick); one file each
          --out-of-core    a dataset of 1.5x the machine's RAM on disk (--size overrides; --codec, default lz4),
                           streamed in Window order from a cold cache: throughput against a cold sequential read
                           of the same files, and peak anonymous RSS against 1 GiB. Needs that much free disk
                           plus 5%, at least 1 GiB more (about 37 GB on a 23 GiB machine); refuses otherwise
          --read-mode M    auto | mapped | direct: how --out-of-core reads its shards (default auto, which reads
                           a dataset larger than a quarter of RAM directly, with positioned reads and no mapping)
          --direct-io      with direct reads, bypass the page cache (O_DIRECT); --no-direct-io never
                           (default: through the page cache)
          --remote         a dataset in a local S3 API server (moto_server on loopback, started and stopped here,
                           or --s3-endpoint URL with credentials from the environment): the loader against a loop of
                           parallel ranged GETs of the same chunks; bytes fetched over 3 epochs with a cache of half
                           the dataset, evicting by plan and by recency; open time of it and of 3,000 shards
          --skip L         comma-separated parts to leave out of --matrix or --quick: matrix, naive, out-of-core
          --json FILE      also write the results, with a description of the machine, as JSON

        Cold-cache figures drop the page cache first: as root on Linux through /proc/sys/vm/drop_caches (after
        sync), otherwise with posix_fadvise(POSIX_FADV_DONTNEED) on each file; elsewhere they are skipped, saying why.
        Peak RSS (VmHWM, reset per scenario) and peak anonymous RSS (RssAnon sampled every 10 ms) need Linux.
        A full run (--matrix) took 533 s on two cores and 23 GiB: about 100 s, then about 7 minutes for the out-of-core part, which
        generates six times the RAM in raw samples (lz4 packs them into 1.5x RAM) and reads 1.5x RAM twice from disk;
        apart from it, the run needs about 1.5 GB of disk and 200000 small files. Datasets are deleted as soon as
        they are measured, also on Ctrl+C. Run it on an otherwise idle machine.
        """;

    public RunnerOptions WithCodec(CodecKind codec)
    {
        var copy = (RunnerOptions)MemberwiseClone();
        copy.Codec = codec;
        return copy;
    }

    /// <summary>Gets the samples of one matrix dataset: from <c>--size</c>, else its own count option.</summary>
    public long SamplesOf(SyntheticDataset dataset) =>
        dataset == SyntheticMnist.Instance ? Samples
        : SamplesFromSize(dataset) ?? _imageSamples ?? Math.Max(1, Samples * SyntheticMnist.Instance.BytesPerSample / dataset.BytesPerSample);

    /// <summary>Gets the batch size used for one matrix dataset.</summary>
    public int BatchSizeOf(SyntheticDataset dataset) => dataset == SyntheticImages.Instance ? ImageBatchSize : BatchSize;

    public static RunnerOptions? Parse(string[] args)
    {
        var o = new RunnerOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : string.Empty;
            switch (args[i])
            {
                case "--samples": o._samples = long.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--threads": o.Threads = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--epochs": o._epochs = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--dir": o.Directory = value; i++; break;
                case "--batch-size" or "--batch": o.BatchSize = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--goals": o.Goals = true; break;
                case "--mixture": o.Mixture = true; break;
                case "--shuffle-quality": o.ShuffleQuality = true; break;
                case "--images": o.Images = true; break;
                case "--image-files": o.ImageFiles = int.Parse(value, CultureInfo.InvariantCulture) is > 0 and var n ? n : throw new ArgumentException("--image-files must be positive."); i++; break;
                case "--device":
                    o.Device = value == "host" || (value.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        ? value
                        : throw new ArgumentException($"Unknown device '{value}'; use cuda:0 (cuda:N) or host.");
                    i++;
                    break;
                case "--device-budget": o.DeviceBudgetBytes = ParseBytes(value, args[i]); i++; break;
                case "--chunk-size": o.ChunkBytes = checked((int)ParseBytes(value, args[i])); i++; break;
                case "--order": o.Order = ParseOrder(value); i++; break;
                case "--codec": o.Codec = ParseCodec(value); i++; break;
                case "--size": o.Size = ParseBytes(value, args[i]); i++; break;
                case "--matrix": o._matrix = true; break;
                case "--quick": o.Quick = true; break;
                case "--naive": o._naive = true; break;
                case "--out-of-core": o._outOfCore = true; break;
                case "--read-mode": o.ReadMode = Enum.Parse<ShardStore.Storage.ShardReadMode>(value, ignoreCase: true); i++; break;
                case "--direct-io": o.DirectIo = true; break;
                case "--no-direct-io": o.DirectIo = false; break;
                case "--remote": o.Remote = true; break;
                case "--s3-endpoint": o.S3Endpoint = value; i++; break;
                case "--codecs": o.Codecs = ParseList(value, ParseCodec); i++; break;
                case "--orders": o.Orders = ParseList(value, ParseOrder); i++; break;
                case "--datasets": o.Datasets = ParseList(value, ParseDataset); i++; break;
                case "--image-samples": o._imageSamples = long.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--image-batch": o.ImageBatchSize = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--naive-samples": o._naiveSamples = long.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--json": o.JsonPath = value.Length > 0 ? value : throw new ArgumentException("--json needs a file name."); i++; break;
                case "--skip":
                    foreach (string part in ParseList(value, p => p is "matrix" or "naive" or "out-of-core" ? p : throw new ArgumentException($"Unknown part '{p}'; use matrix, naive or out-of-core.")))
                    {
                        o._skip.Add(part);
                    }

                    i++;
                    break;
                case "-h" or "--help": return null;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}");
            }
        }

        if (o.Samples < 1 || o.Threads < 1 || o.Epochs < 1 || o.BatchSize < 1 || o.ChunkBytes < 1 || o.ImageBatchSize < 1 || o.NaiveSamples < 1 || o._imageSamples < 1)
        {
            throw new ArgumentException("--samples, --threads, --epochs, --batch, --chunk-size, --image-batch, --naive-samples and --image-samples must be positive.");
        }

        if (o.Size is not null && (o._samples is not null || o._imageSamples is not null))
        {
            throw new ArgumentException("Give the dataset size either as --size or as --samples/--image-samples, not both.");
        }

        if (o.IsBenchmark && (o.Goals || o.Device is not null))
        {
            throw new ArgumentException("--goals and --device are modes of their own; run them without --matrix, --quick, --naive or --out-of-core.");
        }

        if (o.IsBenchmark && !(o.RunsMatrix || o.RunsNaive || o.RunsOutOfCore))
        {
            throw new ArgumentException("--skip leaves nothing to run.");
        }

        if (o.JsonPath is not null && !o.IsBenchmark)
        {
            throw new ArgumentException("--json writes the results of --matrix, --quick, --naive or --out-of-core.");
        }

        return o;
    }

    /// <summary>Parses a byte count with an optional binary suffix: 4096, 500M, 2G, 1.5T (K, M, G, T; a trailing B or iB is allowed).</summary>
    /// <exception cref="ArgumentException">Not a positive size.</exception>
    public static long ParseBytes(string text, string option)
    {
        string s = text.Trim();
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase))
        {
            s = s[..^2];
        }
        else if (s.Length > 1 && (s.EndsWith('B') || s.EndsWith('b')))
        {
            s = s[..^1];
        }

        int shift = s.Length == 0 ? 0 : char.ToUpperInvariant(s[^1]) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            _ => 0,
        };
        if (shift != 0)
        {
            s = s[..^1];
        }

        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number) || number * Math.Pow(2, shift) is not (>= 1 and < long.MaxValue))
        {
            throw new ArgumentException($"{option}: '{text}' is not a size in bytes; write for example 4096, 500M or 2G.");
        }

        return (long)(number * Math.Pow(2, shift));
    }

    private long? SamplesFromSize(SyntheticDataset dataset) => Size is { } size ? Math.Max(1, size / dataset.BytesPerSample) : null;

    private static T[] ParseList<T>(string value, Func<string, T> parse)
    {
        T[] items = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).Distinct()];
        return items.Length > 0 ? items : throw new ArgumentException("An empty list; give at least one item, separated by commas.");
    }

    private static SampleOrder ParseOrder(string value) =>
        value.Length > 0 && !char.IsDigit(value[0]) && Enum.TryParse(value, ignoreCase: true, out SampleOrder order) && Enum.IsDefined(order)
            ? order
            : throw new ArgumentException($"Unknown order '{value}'; use sequential, window or random.");

    private static CodecKind ParseCodec(string value) =>
        CodecNames.TryParse(value, out CodecKind codec) ? codec : throw new ArgumentException($"Unknown codec '{value}'; use none, lz4, lz4hc or zstd.");

    private static SyntheticDataset ParseDataset(string value) =>
        s_allDatasets.FirstOrDefault(d => string.Equals(d.Name, value, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown dataset '{value}'; use {string.Join(" or ", s_allDatasets.Select(d => d.Name))}.");
}
