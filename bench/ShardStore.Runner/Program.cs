using System.Diagnostics;
using System.Globalization;
using ShardStore;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Runner;

RunnerOptions? options;
try
{
    options = RunnerOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (options is null)
{
    Console.WriteLine(RunnerOptions.Usage);
    return 0;
}

string root = options.Directory ?? Path.Combine(Path.GetTempPath(), "shardstore-runner-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
string datasetPath = Path.Combine(root, "mnist-like");
bool ownsRoot = options.Directory is null;
try
{
    var schema = new Schema(FieldSpec.Fixed("image", DType.F32, 784), FieldSpec.Fixed("label", DType.I64));
    long rawBytes = options.Samples * ((784 * 4) + 8);
    Console.WriteLine($"ShardStore {typeof(ShardDataset).Assembly.GetName().Version?.ToString(3)} on {Environment.ProcessorCount} cores; liblz4 {NativeCodecs.Lz4Version}, libzstd {NativeCodecs.ZstdVersion}");
    Console.WriteLine($"Packing {options.Samples:N0} samples ({Gb(rawBytes)} GB raw, 784 f32 + i64 label) with {CodecNames.GetName(options.Codec)} on {options.Threads} threads into {datasetPath}");

    var pack = Stopwatch.StartNew();
    long labelSum = SyntheticMnist.Pack(datasetPath, schema, options);
    pack.Stop();

    using ShardDataset dataset = ShardDataset.Open(datasetPath, new ShardDatasetOptions
    {
        Codecs = NativeCodecs.Provider,
        Checksums = ChecksumPolicy.Always,
        DecodeBudgetBytes = 64L << 20,
    });
    long stored = dataset.Shards.Sum(s => s.StoredBytes);
    Console.WriteLine($"Packed in {pack.Elapsed.TotalSeconds:F2} s ({rawBytes / pack.Elapsed.TotalSeconds / 1e6:F0} MB/s raw): {dataset.Shards.Count} shards, {dataset.ChunkCount} chunks, {Gb(stored)} GB stored (ratio {(double)rawBytes / stored:F2})");

    var streams = new List<TimeSpan>();
    for (int epoch = 0; epoch < options.Epochs; epoch++)
    {
        var sw = Stopwatch.StartNew();
        long seen = ChunkStreamer.StreamAll(dataset, options.Threads, out long sum);
        sw.Stop();
        if (seen != options.Samples || sum != labelSum)
        {
            Console.Error.WriteLine($"Epoch {epoch}: read {seen} samples with label sum {sum}; expected {options.Samples} and {labelSum}.");
            return 1;
        }

        streams.Add(sw.Elapsed);
    }

    TimeSpan best = streams.Min();
    double memcpy = ChunkStreamer.MemcpyBytesPerSecond(rawBytes, options.Threads);
    double readRate = rawBytes / best.TotalSeconds;
    Console.WriteLine($"Stream (checksums always, {options.Threads} threads, best of {options.Epochs}): {options.Samples / best.TotalSeconds / 1e6:F2} M samples/s, {readRate / 1e9:F2} GB/s");
    Console.WriteLine($"memcpy of the same bytes on {options.Threads} threads: {memcpy / 1e9:F2} GB/s; ShardStore / memcpy = {readRate / memcpy:F2}x");
    return 0;
}
finally
{
    if (ownsRoot && Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}

static string Gb(long bytes) => (bytes / 1e9).ToString("F2", CultureInfo.InvariantCulture);
