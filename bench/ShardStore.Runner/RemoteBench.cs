using System.Diagnostics;
using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.S3;
using ShardStore.Storage;

namespace ShardStore.Runner;

/// <summary>
/// The remote mode (<c>--remote</c>): a dataset in an S3 API server on this machine (moto_server, or
/// <c>--s3-endpoint</c>), read by the loader and compared in the same run with a plain loop of parallel ranged GETs
/// of the same chunks from the same server; then the bytes fetched over three epochs with a node-local cache of half
/// the dataset, evicting by the loader's plan against evicting the least recently used; and the time to open it and
/// a 3,000-shard dataset over S3 against the same datasets on local disk.
/// </summary>
internal static class RemoteBench
{
    private const int RequestsInFlight = 16;

    // The largest request the loader makes of adjacent chunks.
    private const int LargestRequestBytes = ShardStore.Internals.Sources.RemoteChunkFetcher.MaxRequestBytes;
    private const int OpenShards = 3_000;

    public static int Run(ScratchSpace scratch, RunnerOptions options)
    {
        using LocalS3Server? server = LocalS3Server.Start(options.S3Endpoint);
        if (server is null)
        {
            return 1;
        }

        using IAmazonS3 client = S3ClientFactory.Create(server.Options);
        string bucket = "shardstore-bench-" + Guid.NewGuid().ToString("N")[..8];
        client.PutBucketAsync(bucket).GetAwaiter().GetResult();
        IObjectStorageProvider provider = S3Storage.CreateProvider(server.Options);
        CancellationToken token = scratch.Token;

        string local = scratch.Reserve("remote");
        Console.WriteLine($"Packing {options.Samples:N0} MNIST-like samples with {CodecNames.GetName(options.Codec)}, uploading to s3://{bucket}/train");
        long labelSum = SyntheticMnist.Instance.Pack(local, options.Samples, options.Codec, options.Threads, options.ChunkBytes, token);
        Upload(client, bucket, "train", local);
        string location = $"s3://{bucket}/train";

        // 1. Open time, local and remote.
        TimeSpan openLocal = Time(() => SyntheticDataset.Open(local).Dispose());
        TimeSpan openRemote = Time(() => ShardDataset.Open(location, Options(provider, cache: null)).Dispose());
        using ShardDataset reference = SyntheticDataset.Open(local);
        long stored = reference.Shards.Sum(s => s.StoredBytes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Dataset: {reference.Shards.Count} shards, {reference.ChunkCount} chunks, {stored / 1e6:F1} MB stored; open {openLocal.TotalMilliseconds:F1} ms local, {openRemote.TotalMilliseconds:F1} ms over S3"));

        // 2. The baselines: every chunk's bytes fetched once with ranged GETs, RequestsInFlight at a time, one chunk per
        // request, and in ranges as large as the loader's largest request (a server whose cost per request is high
        // favours fewer, larger requests, so this one is the fair bound); best of two passes each.
        double getLoop = Enumerable.Range(0, 2).Max(_ => GetLoop(client, bucket, "train", reference, rangeBytes: 0, token));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Parallel ranged GET loop ({RequestsInFlight} in flight, one chunk each): {getLoop / 1e6:F1} MB/s"));
        double rangeLoop = Enumerable.Range(0, 2).Max(_ => GetLoop(client, bucket, "train", reference, LargestRequestBytes, token));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Parallel ranged GET loop ({RequestsInFlight} in flight, {LargestRequestBytes >> 20} MiB ranges of the same bytes): {rangeLoop / 1e6:F1} MB/s"));

        // 3. The loader over S3, no cache, Window order: best of two epochs (each fetches every chunk again).
        var loaderOptions = new ShardLoaderOptions { Order = SampleOrder.Window, BatchSize = options.BatchSize, DecodeWorkers = options.Threads, Seed = 1 };
        double loader;
        RemoteReadStatistics loaderStatistics;
        using (ShardDataset remote = ShardDataset.Open(location, Options(provider, cache: null)))
        {
            (LoaderStreamer.Result result, _) = LoaderStreamer.Measure(remote, loaderOptions, 2, options.Samples, labelSum, token);
            loader = stored / result.Best.TotalSeconds;
            loaderStatistics = remote.RemoteStatistics!.Value;
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Loader over S3 (Window, {options.Threads} decode workers): {loader / 1e6:F1} MB/s of stored bytes; {loader / getLoop:F2}x the chunk GET loop, {loader / rangeLoop:F2}x the {LargestRequestBytes >> 20} MiB range loop (goal >= 0.9x); {loaderStatistics.Requests} requests, {loaderStatistics.PrefetchHits} chunks from prefetches"));

        // 4. A cache of half the dataset over three epochs: bytes fetched, by plan and by recency.
        long byPlan = FetchedWithCache(scratch, provider, location, loaderOptions, stored / 2, evictByPlan: true, options, labelSum, token);
        long byRecency = FetchedWithCache(scratch, provider, location, loaderOptions, stored / 2, evictByPlan: false, options, labelSum, token);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Cache of half the dataset ({stored / 2 / 1e6:F1} MB), 3 epochs of Window order: {byPlan / 1e6:F1} MB fetched evicting by plan, {byRecency / 1e6:F1} MB evicting the least recently used ({(double)byPlan / byRecency:F2}x); {3 * stored / 1e6:F1} MB without a cache"));

        // 5. Open time of a dataset of many shards.
        string many = scratch.Reserve("remote-open");
        WriteManyShards(many);
        Upload(client, bucket, "open", many);
        TimeSpan manyLocal = Enumerable.Range(0, 3).Select(_ => Time(() => ShardDataset.Open(many).Dispose())).Min();
        TimeSpan manyRemote = Time(() => ShardDataset.Open($"s3://{bucket}/open", Options(provider, cache: null)).Dispose());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Open of {OpenShards:N0} shards: {manyLocal.TotalMilliseconds:F1} ms local, {manyRemote.TotalMilliseconds:F0} ms over S3 (local: best of 3)"));
        scratch.Delete(many);
        scratch.Delete(local);
        return 0;
    }

    private static ShardDatasetOptions Options(IObjectStorageProvider provider, ChunkCacheOptions? cache) => new()
    {
        Codecs = NativeCodecs.Provider,
        Checksums = ChecksumPolicy.FirstTouch,
        ObjectStorage = provider,
        Cache = cache,
    };

    private static long FetchedWithCache(ScratchSpace scratch, IObjectStorageProvider provider, string location, ShardLoaderOptions loaderOptions, long limit, bool evictByPlan, RunnerOptions options, long labelSum, CancellationToken token)
    {
        string directory = scratch.Reserve(evictByPlan ? "cache-plan" : "cache-recency");
        try
        {
            using ShardDataset remote = ShardDataset.Open(location, Options(provider, new ChunkCacheOptions { Directory = directory, LimitBytes = limit, EvictByPlan = evictByPlan }));
            long before = remote.RemoteStatistics!.Value.BytesFetched;
            LoaderStreamer.Measure(remote, loaderOptions with { Epochs = 3 }, 3, options.Samples, labelSum, token);
            return remote.RemoteStatistics!.Value.BytesFetched - before;
        }
        finally
        {
            scratch.Delete(directory);
        }
    }

    // Fetches every chunk's bytes: one request per chunk (rangeBytes 0), or each shard's chunk area in ranges of rangeBytes.
    private static double GetLoop(IAmazonS3 client, string bucket, string prefix, ShardDataset dataset, int rangeBytes, CancellationToken token)
    {
        var ranges = new List<(string Key, long Offset, long Length)>();
        for (int s = 0; s < dataset.Shards.Count; s++)
        {
            string key = $"{prefix}/{dataset.Shards[s].FileName}";
            int chunks = dataset.GetChunkCount(s);
            if (rangeBytes == 0)
            {
                for (int c = 0; c < chunks; c++)
                {
                    ChunkEntry e = dataset.GetEntry(s, c);
                    ranges.Add((key, e.Offset, e.StoredSize));
                }

                continue;
            }

            long end = dataset.GetEntry(s, chunks - 1).End;
            for (long offset = dataset.GetEntry(s, 0).Offset; offset < end; offset += rangeBytes)
            {
                ranges.Add((key, offset, Math.Min(rangeBytes, end - offset)));
            }
        }

        long bytes = 0;
        var clock = Stopwatch.StartNew();
        Parallel.ForEachAsync(ranges, new ParallelOptions { MaxDegreeOfParallelism = RequestsInFlight, CancellationToken = token }, async (r, ct) =>
        {
            var request = new GetObjectRequest { BucketName = bucket, Key = r.Key, ByteRange = new ByteRange(r.Offset, r.Offset + r.Length - 1) };
            using GetObjectResponse response = await client.GetObjectAsync(request, ct).ConfigureAwait(false);
            byte[] buffer = GC.AllocateUninitializedArray<byte>((int)r.Length);
            await response.ResponseStream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
            Interlocked.Add(ref bytes, buffer.Length);
        }).GetAwaiter().GetResult();
        return bytes / clock.Elapsed.TotalSeconds;
    }

    // Shards first, the manifest last, as a writer would publish them.
    private static void Upload(IAmazonS3 client, string bucket, string prefix, string directory)
    {
        string[] files = [.. Directory.GetFiles(directory).OrderBy(f => Path.GetFileName(f) == FormatConstants.ManifestFileName)];
        Parallel.ForEachAsync(files.Where(f => Path.GetFileName(f) != FormatConstants.ManifestFileName), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (file, ct) =>
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"{prefix}/{Path.GetFileName(file)}", FilePath = file }, ct).ConfigureAwait(false))
            .GetAwaiter().GetResult();
        client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"{prefix}/{FormatConstants.ManifestFileName}", FilePath = Path.Combine(directory, FormatConstants.ManifestFileName) }).GetAwaiter().GetResult();
    }

    // Shards of one 16-sample chunk each, as the open benchmark packs them.
    private static void WriteManyShards(string directory)
    {
        var writerOptions = new DatasetWriterOptions { ChunkTargetBytes = 16 * sizeof(long), ShardTargetBytes = 1, FlushToDisk = static _ => { } };
        using DatasetWriter writer = DatasetWriter.Create(directory, new Schema(FieldSpec.Fixed("id", DType.I64)), writerOptions);
        for (long i = 0; i < OpenShards * 16L; i++)
        {
            writer.WriteScalar(0, i);
            writer.EndSample();
        }

        writer.Complete();
    }

    private static TimeSpan Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed;
    }
}
