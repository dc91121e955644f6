using Amazon.S3;
using Amazon.S3.Model;
using ShardPack.Commands;
using ShardStore.S3;

namespace ShardPack.Tests.Infrastructure;

/// <summary>A moto_server with one fresh bucket, which the commands of a test reach once it calls <see cref="Use"/>.</summary>
internal sealed class S3TestBucket : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    private S3TestBucket(MotoServer server, IAmazonS3 client, string bucket)
    {
        Server = server;
        Client = client;
        Name = bucket;
    }

    public MotoServer Server { get; }

    public IAmazonS3 Client { get; }

    public string Name { get; }

    /// <summary>Starts a server (or makes the test Inconclusive) and creates a bucket.</summary>
    public static async Task<S3TestBucket> StartAsync()
    {
        var server = await MotoServer.StartAsync();
        IAmazonS3 client = server.CreateClient();
        string bucket = $"cli-{Guid.NewGuid():N}"[..20];
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }).WaitAsync(s_bound);
        return new S3TestBucket(server, client, bucket);
    }

    /// <summary>Points the commands that the calling test runs at this server; call it from the test method itself (the value flows down, not up).</summary>
    public void Use() => S3Connection.TestOptions.Value = Server.Options();

    public string Uri(string prefix) => $"s3://{Name}/{prefix}";

    public async Task<List<string>> ListKeysAsync(string prefix)
    {
        ListObjectsV2Response page = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, Prefix = prefix + "/" }).WaitAsync(s_bound);
        return [.. (page.S3Objects ?? []).Select(o => o.Key[(prefix.Length + 1)..]).Order(StringComparer.Ordinal)];
    }

    public async Task<List<string>> ListUploadsAsync()
    {
        ListMultipartUploadsResponse page = await Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Name }).WaitAsync(s_bound);
        return [.. (page.MultipartUploads ?? []).Select(u => u.Key)];
    }

    public async Task<byte[]> GetAsync(string key)
    {
        S3ObjectReader reader = await S3ObjectReader.OpenAsync(Client, Name, key, Server.Options()).WaitAsync(s_bound);
        byte[] bytes = new byte[reader.Length];
        await reader.ReadAsync(0, bytes).AsTask().WaitAsync(s_bound);
        return bytes;
    }

    public Task PutAsync(string key, byte[] content) => MotoServer.PutAsync(Client, Name, key, content, createBucket: false).WaitAsync(s_bound);

    public Task DeleteAsync(string key) => Client.DeleteObjectAsync(Name, key).WaitAsync(s_bound);

    public void Dispose()
    {
        S3Connection.TestOptions.Value = null;
        Client.Dispose();
        Server.Dispose();
    }
}
