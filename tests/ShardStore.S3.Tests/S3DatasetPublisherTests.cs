using Amazon.S3;
using Amazon.S3.Model;
using ShardStore.S3.Tests.Infrastructure;

namespace ShardStore.S3.Tests;

[TestClass]
public sealed class S3DatasetPublisherTests
{
    private const int Elements = 1024;
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(120);
    private static readonly Schema s_schema = new(FieldSpec.Fixed("x", DType.I32, Elements), FieldSpec.Bytes("v"));

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Complete_MultipartShards_ManifestLastAndDatasetReadsBack()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = await CreateBucketAsync(client, "pub");
        using var staging = new TempDirectory();
        using var recorder = new RecordingPublisher(Publisher(client, server, $"s3://{bucket}/ds"));

        // 4 KiB a sample: shards of about 6 MiB go up in two parts of 5 MiB.
        Write(recorder, 3000, new DatasetWriterOptions { ShardTargetBytes = 6L << 20, ChunkTargetBytes = 256 << 10, UploadStagingDirectory = staging.Path });

        var calls = recorder.Calls;
        Assert.AreEqual("put manifest.json", calls[^1], string.Join(" | ", calls));
        Assert.IsGreaterThanOrEqualTo(2, calls.Count(c => c.StartsWith("upload ", StringComparison.Ordinal)), string.Join(" | ", calls));
        Assert.IsEmpty(Directory.GetFileSystemEntries(staging.Path), "the upload staging directory is removed");
        Assert.IsEmpty(await ListUploadsAsync(client, bucket));

        using var local = new TempDirectory();
        await DownloadAsync(client, bucket, "ds", local.Path);
        using var dataset = ShardDataset.Open(local.Path);
        Assert.AreEqual(3000, dataset.SampleCount);
        Assert.IsEmpty(dataset.Verify(TestContext.CancellationToken));
        Assert.IsTrue(dataset.Shards.All(s => s.FileName == $"shard-{s.Index:D5}-{dataset.Identity}.shard"), string.Join(", ", dataset.Shards.Select(s => s.FileName)));
        for (long i = 0; i < dataset.SampleCount; i += 97)
        {
            using SampleLease sample = dataset.ReadSample(i);
            Assert.AreEqual((int)i, sample.Get<int>("x")[0]);
            Assert.AreEqual((int)(i % 50), sample.Get<byte>("v").Length);
        }
    }

    [TestMethod]
    public async Task Complete_ManifestPutFails_LeavesNoObjectsAndNoUploads()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = await CreateBucketAsync(client, "fail");
        using var recorder = new RecordingPublisher(Publisher(client, server, $"s3://{bucket}/ds")) { FailWhen = c => c == "put manifest.json" };

        var e = Assert.ThrowsExactly<IOException>(() => Write(recorder, 500, new DatasetWriterOptions { ShardTargetBytes = 512 << 10, ChunkTargetBytes = 64 << 10 }));

        Assert.Contains("injected failure", e.Message);
        Assert.IsGreaterThanOrEqualTo(2, recorder.Calls.Count(c => c.StartsWith("upload ", StringComparison.Ordinal)), "shards were uploaded before the manifest");
        Assert.IsEmpty(await ListKeysAsync(client, bucket), "no shard object and no manifest stays");
        Assert.IsEmpty(await ListUploadsAsync(client, bucket));
    }

    [TestMethod]
    public async Task Dispose_WhileShardUploads_AbortsUploadAndDeletesShards()
    {
        using var server = await MotoServer.StartAsync();
        var options = server.Options();
        using var client = new PausingS3Client(S3ClientFactory.CreateConfig(options, Environment.GetEnvironmentVariable), options.Credentials!, pausedPart: 2);
        var bucket = await CreateBucketAsync(client, "abort");
        using var publisher = new S3DatasetPublisher(client, S3Location.Parse($"s3://{bucket}/ds"), options, new S3UploadOptions { PartSize = S3UploadOptions.MinPartSize });

        using (var writer = DatasetWriter.Create(publisher, s_schema, new DatasetWriterOptions { ShardTargetBytes = 6L << 20, ChunkTargetBytes = 256 << 10 }))
        {
            // Samples past the first shard (about 1,500) finish it, and its upload starts: part 1 goes through, part 2 is held.
            // Fewer than five shards are written, so the writer never waits for the held upload.
            long i = 0;
            while (!client.Paused.IsCompleted && i < 4_000)
            {
                WriteSample(writer, i++);
            }

            await client.Paused.WaitAsync(s_bound);
        }

        Assert.IsEmpty(await ListUploadsAsync(client, bucket), "the held upload was aborted");
        Assert.IsEmpty(await ListKeysAsync(client, bucket), "no shard object stays");
    }

    [TestMethod]
    public async Task Create_LocationHoldsObjects_ThrowsWithoutOverwrite()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = await CreateBucketAsync(client, "full");
        await MotoServer.PutAsync(client, bucket, "ds/notes.txt", [1, 2, 3], createBucket: false);
        using var publisher = Publisher(client, server, $"s3://{bucket}/ds");

        var e = Assert.ThrowsExactly<IOException>(() => DatasetWriter.Create(publisher, s_schema, null));
        var overwrite = Assert.ThrowsExactly<IOException>(() => DatasetWriter.Create(publisher, s_schema, new DatasetWriterOptions { Overwrite = true }));

        Assert.Contains("notes.txt", e.Message);
        Assert.Contains("not part of its dataset", overwrite.Message);
        CollectionAssert.AreEqual(new[] { "ds/notes.txt" }, await ListKeysAsync(client, bucket));
    }

    [TestMethod]
    public async Task Create_OverwriteDatasetOfSameIdentity_ThrowsAndKeepsIt()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = await CreateBucketAsync(client, "same");
        using var publisher = Publisher(client, server, $"s3://{bucket}/ds");
        const string Identity = "0123456789abcdef0123456789abcdef";
        Write(publisher, 100, new DatasetWriterOptions { Identity = Identity });
        var before = await ListKeysAsync(client, bucket);

        var e = Assert.ThrowsExactly<IOException>(() => DatasetWriter.Create(publisher, s_schema, new DatasetWriterOptions { Identity = Identity, Overwrite = true }));

        Assert.Contains(Identity, e.Message);
        CollectionAssert.AreEqual(before, await ListKeysAsync(client, bucket));
    }

    [TestMethod]
    public async Task Complete_Overwrite_DeletesOldObjectsAfterNewManifest()
    {
        using var server = await MotoServer.StartAsync();
        using var client = server.CreateClient();
        var bucket = await CreateBucketAsync(client, "over");
        using var first = Publisher(client, server, $"s3://{bucket}/ds");
        Write(first, 400, new DatasetWriterOptions { ShardTargetBytes = 512 << 10, ChunkTargetBytes = 64 << 10 });
        var old = await ListKeysAsync(client, bucket);
        using var recorder = new RecordingPublisher(Publisher(client, server, $"s3://{bucket}/ds"));

        Write(recorder, 200, new DatasetWriterOptions { ShardTargetBytes = 512 << 10, ChunkTargetBytes = 64 << 10, Overwrite = true });

        var calls = recorder.Calls;
        int manifest = calls.ToList().IndexOf("put manifest.json");
        var deletes = calls.Select((c, i) => (c, i)).Where(x => x.c.StartsWith("delete ", StringComparison.Ordinal)).ToList();
        Assert.IsNotEmpty(deletes, string.Join(" | ", calls));
        Assert.IsTrue(deletes.All(d => d.i > manifest), string.Join(" | ", calls));
        var now = await ListKeysAsync(client, bucket);
        Assert.IsFalse(now.Intersect(old.Where(k => k.EndsWith(".shard", StringComparison.Ordinal))).Any(), "every old shard is gone: " + string.Join(", ", now));
        using var local = new TempDirectory();
        await DownloadAsync(client, bucket, "ds", local.Path);
        using var dataset = ShardDataset.Open(local.Path);
        Assert.AreEqual(200, dataset.SampleCount);
    }

    internal static void Write(Storage.IDatasetPublisher publisher, long samples, DatasetWriterOptions options)
    {
        using var writer = DatasetWriter.Create(publisher, s_schema, options);
        for (long i = 0; i < samples; i++)
        {
            WriteSample(writer, i);
        }

        writer.Complete();
    }

    private static void WriteSample(DatasetWriter writer, long i)
    {
        var x = new int[Elements];
        x.AsSpan().Fill((int)i);
        writer.Write<int>(0, x);
        writer.Write<byte>(1, new byte[i % 50]);
        writer.EndSample();
    }

    private static S3DatasetPublisher Publisher(IAmazonS3 client, MotoServer server, string location) =>
        new(client, S3Location.Parse(location), server.Options(), new S3UploadOptions { PartSize = S3UploadOptions.MinPartSize, MaxPartsInFlight = 4 });

    private static async Task<string> CreateBucketAsync(IAmazonS3 client, string stem)
    {
        var bucket = $"{stem}-{Guid.NewGuid():N}"[..20];
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }).WaitAsync(s_bound);
        return bucket;
    }

    private static async Task<List<string>> ListKeysAsync(IAmazonS3 client, string bucket)
    {
        var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }).WaitAsync(s_bound);
        return [.. (page.S3Objects ?? []).Select(o => o.Key)];
    }

    private static async Task<List<string>> ListUploadsAsync(IAmazonS3 client, string bucket)
    {
        var page = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket }).WaitAsync(s_bound);
        return [.. (page.MultipartUploads ?? []).Select(u => $"{u.Key} {u.UploadId}")];
    }

    private static async Task DownloadAsync(IAmazonS3 client, string bucket, string prefix, string directory)
    {
        foreach (var key in await ListKeysAsync(client, bucket))
        {
            var reader = await S3ObjectReader.OpenAsync(client, bucket, key).WaitAsync(s_bound);
            var bytes = new byte[reader.Length];
            await reader.ReadAsync(0, bytes).AsTask().WaitAsync(s_bound);
            await File.WriteAllBytesAsync(Path.Combine(directory, key[(prefix.Length + 1)..]), bytes);
        }
    }
}
