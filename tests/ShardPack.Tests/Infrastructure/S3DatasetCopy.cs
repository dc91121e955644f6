using Amazon.S3;
using Amazon.S3.Model;
using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardPack.Tests.Infrastructure;

/// <summary>
/// A small packed dataset on disk and the same files uploaded under <c>s3://bucket/prefix</c> of a moto server, with the
/// process environment pointing the AWS configuration chain at that server until disposed.
/// </summary>
/// <remarks>
/// The environment is the process's: tests using this run with <c>[DoNotParallelize]</c>. Without moto_server the test is
/// Inconclusive (see <see cref="MotoServer.StartAsync"/>).
/// </remarks>
internal sealed class S3DatasetCopy : IDisposable
{
    public const int SampleCount = 700;

    private static readonly string[] s_variables =
    [
        "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED", "SHARDSTORE_S3_FORCE_PATH_STYLE",
    ];

    // One test thread uses a copy.
    private readonly Dictionary<string, string?> _saved;
    private readonly TempDirectory _directory;

    private S3DatasetCopy(MotoServer server, IAmazonS3 client, TempDirectory directory, string bucket, Dictionary<string, string?> saved)
    {
        Server = server;
        Client = client;
        _directory = directory;
        _saved = saved;
        Bucket = bucket;
        LocalPath = directory.Combine("ds");
        Location = $"s3://{bucket}/datasets/train";
    }

    public MotoServer Server { get; }

    /// <summary>Gets a client of the server, for changing objects under the test.</summary>
    public IAmazonS3 Client { get; }

    public string Bucket { get; }

    /// <summary>Gets the dataset directory on disk.</summary>
    public string LocalPath { get; }

    /// <summary>Gets <c>s3://bucket/datasets/train</c>, where the same files are.</summary>
    public string Location { get; }

    /// <summary>Gets a fresh path under the copy's temporary directory.</summary>
    public string Combine(string name) => _directory.Combine(name);

    /// <summary>Starts a server, packs the dataset (several lz4 shards: fixed, scalar and variable-length bytes), uploads it and points the environment at the server.</summary>
    public static async Task<S3DatasetCopy> CreateAsync()
    {
        var server = await MotoServer.StartAsync().ConfigureAwait(false);
        var directory = new TempDirectory();
        IAmazonS3? client = null;
        Dictionary<string, string?>? saved = null;
        try
        {
            client = server.CreateClient();
            string bucket = "cli-" + Guid.NewGuid().ToString("N")[..12];
            saved = s_variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
            var copy = new S3DatasetCopy(server, client, directory, bucket, saved);
            Pack(copy.LocalPath);
            await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }).ConfigureAwait(false);
            foreach (string file in Directory.EnumerateFiles(copy.LocalPath, "*", SearchOption.AllDirectories))
            {
                string name = Path.GetRelativePath(copy.LocalPath, file).Replace(Path.DirectorySeparatorChar, '/');
                await copy.PutAsync(name, await File.ReadAllBytesAsync(file).ConfigureAwait(false)).ConfigureAwait(false);
            }

            foreach (string variable in s_variables)
            {
                Environment.SetEnvironmentVariable(variable, null);
            }

            Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", server.ServiceUrl);
            Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "testing");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "testing");
            Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
            return copy;
        }
        catch
        {
            Restore(saved);
            client?.Dispose();
            directory.Dispose();
            server.Dispose();
            throw;
        }
    }

    /// <summary>Puts <paramref name="content"/> as the object <paramref name="name"/> under <see cref="Location"/>, replacing what was there.</summary>
    public async Task PutAsync(string name, byte[] content)
    {
        using var body = new MemoryStream(content);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "datasets/train/" + name, InputStream = body }).ConfigureAwait(false);
    }

    public void Dispose()
    {
        Restore(_saved);
        Client.Dispose();
        _directory.Dispose();
        Server.Dispose();
    }

    private static void Restore(Dictionary<string, string?>? saved)
    {
        foreach ((string variable, string? value) in saved ?? [])
        {
            Environment.SetEnvironmentVariable(variable, value);
        }
    }

    private static void Pack(string path)
    {
        var schema = new Schema(FieldSpec.Fixed("image", DType.F32, 4, 4), FieldSpec.Fixed("label", DType.I64), FieldSpec.Variable("bytes", DType.U8));
        var options = new DatasetWriterOptions
        {
            Codec = CodecKind.Lz4,
            Codecs = NativeCodecs.Provider,
            ChunkTargetBytes = 4 << 10,
            ShardTargetBytes = 16 << 10,
            Metadata = new Dictionary<string, string> { ["origin"] = "s3 test" },
        };
        var random = new Random(42);
        using DatasetWriter writer = DatasetWriter.Create(path, schema, options);
        for (int i = 0; i < SampleCount; i++)
        {
            float[] image = new float[16];
            for (int k = 0; k < image.Length; k++)
            {
                image[k] = (float)random.NextDouble();
            }

            writer.Write<float>("image", image);
            writer.WriteScalar(1, (long)(i % 10));
            writer.Write<byte>("bytes", Enumerable.Range(i, i % 7).Select(b => (byte)b).ToArray());
            writer.EndSample();
        }

        writer.Complete();
    }
}
