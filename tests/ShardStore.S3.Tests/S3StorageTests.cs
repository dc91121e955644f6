using Amazon.Runtime;

namespace ShardStore.S3.Tests;

[TestClass]
public sealed class S3StorageTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    [TestMethod]
    [DataRow("/data/train")]
    [DataRow("relative/dir")]
    [DataRow("")]
    [DataRow("https://bucket.example.com/ds")]
    [DataRow("s3:/bucket/ds")]
    public void TryOpen_NotAnS3Uri_ReturnsNull(string location)
    {
        Assert.IsNull(S3Storage.Provider.TryOpen(location));
        Assert.IsNull(S3Storage.CreateProvider(new S3StorageOptions { Region = "us-east-1" }).TryOpen(location));
    }

    [TestMethod]
    [DataRow("s3://")]
    [DataRow("s3://ab/ds")]
    [DataRow("s3://Upper_Case/ds")]
    [DataRow("s3://bucket//ds")]
    [DataRow("s3://bucket/a/../b")]
    public void TryOpen_MalformedS3Uri_ThrowsArgumentExceptionNamingIt(string location)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => S3Storage.Provider.TryOpen(location));

        StringAssert.Contains(e.Message, location);
    }

    [TestMethod]
    public void CreateProvider_TimeNotPositive_ThrowsArgumentOutOfRange() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => S3Storage.CreateProvider(new S3StorageOptions { RetryDeadline = TimeSpan.Zero }));

    [TestMethod]
    public async Task TryOpen_S3Uri_OpensStorageOfThatLocationThatReadsIt()
    {
        using var server = await MotoServer.StartAsync();
        var bucket = "provider-" + Guid.NewGuid().ToString("N")[..12];
        using (var client = server.CreateClient())
        {
            await MotoServer.PutAsync(client, bucket, "ds/train/manifest.json", [7, 8, 9], createBucket: true);
        }

        using var storage = S3Storage.CreateProvider(server.Options()).TryOpen($"S3://{bucket}/ds/train/");

        Assert.IsInstanceOfType<S3ObjectStorage>(storage);
        Assert.AreEqual($"s3://{bucket}/ds/train", storage.Location);
        var version = await storage.GetVersionAsync("manifest.json").WaitAsync(s_bound);
        var bytes = new byte[2];
        await storage.ReadAsync("manifest.json", version, 1, bytes).AsTask().WaitAsync(s_bound);
        CollectionAssert.AreEqual(new byte[] { 8, 9 }, bytes);
    }

    [TestMethod]
    public void TryOpen_S3Uri_OwnsTheClientItCreated()
    {
        var storage = (S3ObjectStorage?)S3Storage.CreateProvider(new S3StorageOptions
        {
            ServiceUrl = "http://127.0.0.1:9",
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("testing", "testing"),
        }).TryOpen("s3://bucket/ds");

        Assert.IsNotNull(storage);
        storage.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => storage.Store.Client.GetObjectMetadataAsync("bucket", "ds/x").GetAwaiter().GetResult());
    }
}
