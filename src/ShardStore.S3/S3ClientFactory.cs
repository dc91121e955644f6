using System.Net;
using Amazon;
using Amazon.S3;

namespace ShardStore.S3;

/// <summary>Creates S3 clients configured from <see cref="S3StorageOptions"/> and the standard AWS configuration chain.</summary>
public static class S3ClientFactory
{
    /// <summary>Creates a client for the endpoint, region, credentials and addressing that <paramref name="options"/> and the environment give.</summary>
    /// <param name="options">Overrides of the configuration chain; <see langword="null"/> for none.</param>
    /// <returns>A client the caller disposes.</returns>
    /// <remarks>
    /// The client makes one attempt per request, each bounded by <see cref="S3StorageOptions.AttemptTimeout"/>: the readers
    /// of this library retry themselves, up to <see cref="S3StorageOptions.RetryDeadline"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http or https URL, or the region is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A time in <paramref name="options"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException"><c>SHARDSTORE_S3_FORCE_PATH_STYLE</c> holds something other than 1, 0, true or false.</exception>
    public static IAmazonS3 Create(S3StorageOptions? options = null)
    {
        options ??= new S3StorageOptions();
        var config = CreateConfig(options, Environment.GetEnvironmentVariable);
        return options.Credentials is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    internal static AmazonS3Config CreateConfig(S3StorageOptions options, Func<string, string?> environment)
    {
        options.Validate();
        var serviceUrl = ResolveServiceUrl(options.ServiceUrl, environment);
        var config = new AmazonS3Config
        {
            ForcePathStyle = UsePathStyle(serviceUrl, options.ForcePathStyle, environment(S3StorageOptions.ForcePathStyleVariable)),
            Timeout = options.AttemptTimeout,
            MaxErrorRetry = 0,
        };
        if (options.Region is { Length: > 0 } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            config.AuthenticationRegion = region;
        }

        if (serviceUrl is not null)
        {
            config.ServiceURL = serviceUrl.ToString();
        }

        return config;
    }

    internal static Uri? ResolveServiceUrl(string? configured, Func<string, string?> environment)
    {
        var text = configured;
        if (string.IsNullOrWhiteSpace(text))
        {
            text = environment("AWS_ENDPOINT_URL_S3");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            text = environment("AWS_ENDPOINT_URL");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The S3 endpoint '{text}' is not an absolute http:// or https:// URL, such as http://127.0.0.1:9000.", nameof(configured));
        }

        return uri;
    }

    internal static bool UsePathStyle(Uri? serviceUrl, bool? forced, string? environmentValue)
    {
        if (forced is { } value)
        {
            return value;
        }

        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            return environmentValue.Trim().ToUpperInvariant() switch
            {
                "1" or "TRUE" => true,
                "0" or "FALSE" => false,
                _ => throw new InvalidOperationException(
                    $"{S3StorageOptions.ForcePathStyleVariable} is '{environmentValue}'; set it to 1 (path-style addressing), 0 (virtual-hosted) or leave it unset."),
            };
        }

        return serviceUrl is not null
            && (serviceUrl.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
                || string.Equals(serviceUrl.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
                || IPAddress.TryParse(serviceUrl.IdnHost, out _));
    }
}
