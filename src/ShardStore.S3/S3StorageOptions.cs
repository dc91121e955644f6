using Amazon.Runtime;

namespace ShardStore.S3;

/// <summary>Where and how to reach S3-compatible object storage, and how long to keep retrying a request.</summary>
/// <remarks>
/// <para>Every property left unset falls back to the standard AWS configuration chain: the endpoint to
/// <c>AWS_ENDPOINT_URL_S3</c>, then <c>AWS_ENDPOINT_URL</c>, then AWS itself; the region and credentials to the
/// environment variables (<c>AWS_REGION</c>, <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>,
/// <c>AWS_SESSION_TOKEN</c>), the profile files (<c>AWS_PROFILE</c>) and the other sources the AWS SDK knows.</para>
/// <para>Addressing is path-style (<c>http://host/bucket/key</c>) when <see cref="ForcePathStyle"/> says so; else when
/// the environment variable <c>SHARDSTORE_S3_FORCE_PATH_STYLE</c> is <c>1</c> or <c>0</c> (also <c>true</c> or
/// <c>false</c>); else when the endpoint's host is an IP address or <c>localhost</c>, as for a server on the local
/// machine or network (MinIO, moto, Ceph RGW without wildcard DNS); and virtual-hosted
/// (<c>http://bucket.host/key</c>) otherwise.</para>
/// </remarks>
public sealed class S3StorageOptions
{
    /// <summary>The environment variable that forces path-style (<c>1</c>) or virtual-hosted (<c>0</c>) addressing.</summary>
    public const string ForcePathStyleVariable = "SHARDSTORE_S3_FORCE_PATH_STYLE";

    /// <summary>Gets the endpoint, such as <c>http://127.0.0.1:9000</c>; <see langword="null"/> for the configuration chain.</summary>
    public string? ServiceUrl { get; init; }

    /// <summary>Gets the region, such as <c>us-east-1</c>; <see langword="null"/> for the configuration chain.</summary>
    public string? Region { get; init; }

    /// <summary>Gets whether to address buckets path-style; <see langword="null"/> decides as the remarks of <see cref="S3StorageOptions"/> say.</summary>
    public bool? ForcePathStyle { get; init; }

    /// <summary>Gets the credentials; <see langword="null"/> for the configuration chain.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>Gets how long one request may take before it is abandoned and retried. The default is 30 seconds.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how long one operation (a read, an open, a page of a listing) keeps retrying before it fails. The default is 2 minutes.</summary>
    public TimeSpan RetryDeadline { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets the wait before the first retry; each further wait doubles, up to <see cref="MaxRetryDelay"/>. The default is 100 ms.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets the longest wait between two attempts. The default is 5 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
            }
        }

        Positive(AttemptTimeout, nameof(AttemptTimeout));
        Positive(RetryDeadline, nameof(RetryDeadline));
        Positive(InitialRetryDelay, nameof(InitialRetryDelay));
        Positive(MaxRetryDelay, nameof(MaxRetryDelay));
    }
}
