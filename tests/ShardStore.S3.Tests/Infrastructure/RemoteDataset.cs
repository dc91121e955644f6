using Amazon.S3;
using Amazon.S3.Model;
using ShardStore.Codecs;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>
/// A dataset written on disk and the same files uploaded to <c>s3://bucket/datasets/train</c> of a moto server, optionally
/// behind a <see cref="FaultProxy"/>: the local copy is the reference the remote reads are compared with.
/// </summary>
/// <remarks>Without moto_server the test is Inconclusive (see <see cref="MotoServer.StartAsync"/>).</remarks>
internal sealed class RemoteDataset : IDisposable
{
    public const string Prefix = "datasets/train";

    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    // One test thread drives a copy.
    private readonly TempDirectory _directory;

    private RemoteDataset(MotoServer server, FaultProxy? proxy, IAmazonS3 client, TempDirectory directory, string bucket)
    {
        Server = server;
        Proxy = proxy;
        Client = client;
        _directory = directory;
        Bucket = bucket;
        LocalPath = directory.Combine("ds");
        Location = $"s3://{bucket}/{Prefix}";
    }

    public MotoServer Server { get; }

    /// <summary>Gets the proxy that remote reads go through, when the copy was created with one.</summary>
    public FaultProxy? Proxy { get; }

    /// <summary>Gets a client of the server itself (not through the proxy), for changing objects under a test.</summary>
    public IAmazonS3 Client { get; }

    public string Bucket { get; }

    /// <summary>Gets the dataset directory on disk.</summary>
    public string LocalPath { get; }

    /// <summary>Gets <c>s3://bucket/datasets/train</c>.</summary>
    public string Location { get; }

    /// <summary>Starts a server (and a proxy in front of it when asked), writes the dataset with <paramref name="write"/> into a fresh directory and uploads it.</summary>
    public static async Task<RemoteDataset> CreateAsync(Action<string> write, bool proxy = false)
    {
        var server = await MotoServer.StartAsync().ConfigureAwait(false);
        var directory = new TempDirectory();
        FaultProxy? faultProxy = null;
        IAmazonS3? client = null;
        try
        {
            faultProxy = proxy ? new FaultProxy(new Uri(server.ServiceUrl)) : null;
            client = server.CreateClient();
            var copy = new RemoteDataset(server, faultProxy, client, directory, "ds-" + Guid.NewGuid().ToString("N")[..12]);
            write(copy.LocalPath);
            await client.PutBucketAsync(new PutBucketRequest { BucketName = copy.Bucket }).WaitAsync(s_bound).ConfigureAwait(false);
            await copy.UploadAsync(client).ConfigureAwait(false);
            return copy;
        }
        catch
        {
            client?.Dispose();
            faultProxy?.Dispose();
            directory.Dispose();
            server.Dispose();
            throw;
        }
    }

    /// <summary>Gets the object key of a dataset file, such as a shard's <see cref="ShardInfo.FileName"/>.</summary>
    public string Key(string name) => $"{Prefix}/{name}";

    /// <summary>Gets the <c>s3://</c> URI of a dataset file.</summary>
    public string Uri(string name) => $"{Location}/{name}";

    /// <summary>Options that read the remote copy (through the proxy when there is one) with native codecs.</summary>
    public ShardDatasetOptions RemoteOptions(TimeSpan? retryDeadline = null, TimeSpan? attemptTimeout = null) => new()
    {
        Codecs = NativeCodecs.Provider,
        ObjectStorage = S3Storage.CreateProvider(Server.Options(retryDeadline, attemptTimeout, Proxy?.ServiceUrl)),

        // The least read-ahead (two windows): a fault or outage started mid-epoch then meets reads still to come, as it
        // would in a dataset far larger than the read-ahead, instead of finding this small one fetched already.
        ReadAheadBytes = 1,
    };

    /// <summary>Opens the remote copy.</summary>
    public ShardDataset OpenRemote(TimeSpan? retryDeadline = null, TimeSpan? attemptTimeout = null) =>
        ShardDataset.Open(Location, RemoteOptions(retryDeadline, attemptTimeout));

    /// <summary>Opens the copy on disk.</summary>
    public ShardDataset OpenLocal() => ShardDataset.Open(LocalPath, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });

    /// <summary>Puts <paramref name="content"/> as the dataset file <paramref name="name"/>, replacing the object.</summary>
    public Task PutAsync(string name, byte[] content) => DatasetUpload.PutAsync(Client, Bucket, Key(name), content);

    /// <summary>Deletes the object of the dataset file <paramref name="name"/>.</summary>
    public Task DeleteAsync(string name) =>
        Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = Key(name) }).WaitAsync(s_bound);

    /// <summary>Kills the server and starts a fresh one holding the same objects; the endpoint refuses connections meanwhile.</summary>
    public Task RestartServerAsync() => Server.RestartAsync(async client =>
    {
        await client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }).WaitAsync(s_bound).ConfigureAwait(false);
        await UploadAsync(client).ConfigureAwait(false);
    });

    public void Dispose()
    {
        Client.Dispose();
        Proxy?.Dispose();
        _directory.Dispose();
        Server.Dispose();
    }

    private Task<IReadOnlyList<string>> UploadAsync(IAmazonS3 client) => DatasetUpload.UploadAsync(client, LocalPath, Bucket, Prefix);
}
