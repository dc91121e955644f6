using System.CommandLine;
using Amazon.Runtime;
using ShardStore.Codecs;
using ShardStore.S3;
using ShardStore.Storage;

namespace ShardPack.Commands;

/// <summary>
/// The dataset argument of <c>info</c>, <c>verify</c>, <c>cat</c>, <c>export</c> and <c>order</c> (a directory or an
/// <c>s3://bucket/prefix</c>) and the options that say how it is read; the one place those commands open a dataset.
/// </summary>
internal sealed class DatasetSource
{
    /// <summary>Where the S3 settings come from, for the help of every command that opens a dataset.</summary>
    public const string S3Help =
        "An s3:// dataset is read through the standard AWS configuration: AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) for an S3-compatible server, "
        + "AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE and the profile files); buckets are addressed path-style when the "
        + "endpoint is an IP address or localhost, and SHARDSTORE_S3_FORCE_PATH_STYLE=1 (or 0) forces it on (or off).";

    /// <summary>Gets the dataset: a directory or <c>s3://bucket/prefix</c>.</summary>
    public Argument<string> Dataset { get; } = new("DATASET")
    {
        Description = "Dataset directory, or s3://bucket/prefix. " + S3Help,
    };

    /// <summary>Gets <c>--cache-dir</c>.</summary>
    public Option<string?> CacheDirectory { get; } = new("--cache-dir")
    {
        HelpName = "DIR",
        Description = "Node-local directory that keeps chunks of an s3:// dataset between runs and processes (created if missing); needs --cache-limit.",
    };

    /// <summary>Gets <c>--cache-limit</c>.</summary>
    public Option<string?> CacheLimit { get; } = new("--cache-limit")
    {
        HelpName = "BYTES",
        Description = "Most bytes of chunks --cache-dir may hold, over every process that shares it, e.g. 512M or 4G.",
    };

    /// <summary>Gets <c>--read-mode</c>.</summary>
    public Option<string> ReadMode { get; } = SharedOptions.ReadMode();

    /// <summary>Gets <c>--direct-io</c>.</summary>
    public Option<bool> DirectIo { get; } = SharedOptions.DirectIo();

    /// <summary>Gets <c>--generation</c>.</summary>
    public Option<int?> Generation { get; } = new("--generation")
    {
        HelpName = "N",
        Description = "Read generation N of the dataset (1 is the pack, each append adds one; see info); default the newest.",
    };

    /// <summary>Adds the argument and the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(Dataset);
        command.Options.Add(CacheDirectory);
        command.Options.Add(CacheLimit);
        command.Options.Add(ReadMode);
        command.Options.Add(DirectIo);
        command.Options.Add(Generation);
    }

    /// <summary>Reads the options into the options of <see cref="ShardDataset.Open(string, ShardDatasetOptions?)"/>.</summary>
    /// <exception cref="UsageException">An option's value is wrong, or only one of <c>--cache-dir</c> and <c>--cache-limit</c> is given.</exception>
    public ShardDatasetOptions GetOptions(ParseResult result)
    {
        return new ShardDatasetOptions
        {
            Codecs = NativeCodecs.Provider,
            ObjectStorage = S3Storage.Provider,
            ReadMode = SharedOptions.ParseReadMode(result.GetValue(ReadMode)!),
            DirectIo = result.GetValue(DirectIo) ? true : null,
            Cache = GetCache(result),
            Generation = result.GetValue(Generation),
        };
    }

    /// <summary>Opens the dataset the command line names.</summary>
    /// <exception cref="UsageException">An option's value is wrong.</exception>
    /// <exception cref="InvalidDataException">The s3:// location is malformed; the message names it.</exception>
    /// <exception cref="IOException">The object storage refused a request; the message names the location, the storage's error is the inner exception.</exception>
    public ShardDataset Open(ParseResult result)
    {
        string location = result.GetValue(Dataset)!;
        ShardDatasetOptions options = GetOptions(result);
        if (!S3Location.IsS3Uri(location))
        {
            return ShardDataset.Open(location, options);
        }

        try
        {
            S3Location.Parse(location);
        }
        catch (ArgumentException e)
        {
            // A location that cannot name a dataset is reported like a dataset that is not there: bad data, naming it.
            throw new InvalidDataException(e.Message, e);
        }

        try
        {
            return ShardDataset.Open(location, options);
        }
        catch (AmazonServiceException e)
        {
            throw new IOException($"{location}: the object storage refused the request ({(int)e.StatusCode} {e.ErrorCode}: {e.Message}).", e);
        }
    }

    private ChunkCacheOptions? GetCache(ParseResult result)
    {
        string? directory = result.GetValue(CacheDirectory), limit = result.GetValue(CacheLimit);
        if (directory is null && limit is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(directory) || limit is null)
        {
            throw new UsageException("--cache-dir and --cache-limit go together: give the directory and its size limit, e.g. --cache-dir /local/cache --cache-limit 100G.");
        }

        return new ChunkCacheOptions { Directory = directory, LimitBytes = SharedOptions.ParseSize(limit, "--cache-limit") };
    }
}
