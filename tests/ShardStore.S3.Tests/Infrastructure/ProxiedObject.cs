using Amazon.S3;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>A server with one object, a proxy in front of it, and a reader opened through the proxy (no fault armed yet).</summary>
internal sealed class ProxiedObject : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(60);

    private ProxiedObject(MotoServer server, FaultProxy proxy, IAmazonS3 client, S3StorageOptions options, S3ObjectReader reader, byte[] content)
    {
        Options = options;
        Server = server;
        Proxy = proxy;
        Client = client;
        Reader = reader;
        Content = content;
    }

    public MotoServer Server { get; }

    public FaultProxy Proxy { get; }

    public IAmazonS3 Client { get; }

    /// <summary>Gets the options of <see cref="Client"/>: the proxy's endpoint and the retry times asked for.</summary>
    public S3StorageOptions Options { get; }

    public S3ObjectReader Reader { get; }

    public byte[] Content { get; }

    /// <summary>Starts a server, puts <paramref name="content"/> into a new bucket directly, and opens it through a new proxy.</summary>
    public static async Task<ProxiedObject> OpenAsync(byte[] content, TimeSpan? retryDeadline = null, TimeSpan? attemptTimeout = null)
    {
        var server = await MotoServer.StartAsync().ConfigureAwait(false);
        var proxy = new FaultProxy(new Uri(server.ServiceUrl));
        var options = server.Options(retryDeadline, attemptTimeout, proxy.ServiceUrl);
        var client = S3ClientFactory.Create(options);
        try
        {
            var bucket = "test-" + Guid.NewGuid().ToString("N")[..12];
            using (var direct = server.CreateClient())
            {
                await MotoServer.PutAsync(direct, bucket, "shards/0.shard", content, createBucket: true).WaitAsync(s_bound).ConfigureAwait(false);
            }

            var reader = await S3ObjectReader.OpenAsync(client, bucket, "shards/0.shard", options).WaitAsync(s_bound).ConfigureAwait(false);
            return new ProxiedObject(server, proxy, client, options, reader, content);
        }
        catch
        {
            client.Dispose();
            proxy.Dispose();
            server.Dispose();
            throw;
        }
    }

    /// <summary>Gets a copy of the object's bytes in a range.</summary>
    public byte[] Expected(int offset, int count) => Content.AsSpan(offset, count).ToArray();

    public void Dispose()
    {
        Client.Dispose();
        Proxy.Dispose();
        Server.Dispose();
    }
}
