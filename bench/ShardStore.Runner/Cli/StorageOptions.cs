using System.CommandLine;
using ShardPack;
using ShardPack.Commands;

namespace ShardStore.Runner.Cli;

/// <summary>The runner's options for where datasets and results go and how they are read back: directory, read mode, S3 endpoint, JSON file.</summary>
internal sealed class StorageOptions
{
    /// <summary>Gets <c>--dir</c>.</summary>
    public Option<string?> Directory { get; } = new("--dir")
    {
        HelpName = "PATH",
        Description = "Where to write datasets (default: a temporary directory, deleted afterwards; the benchmark modes delete what they write there too).",
    };

    /// <summary>Gets <c>--read-mode</c>.</summary>
    public Option<string> ReadMode { get; } = SharedOptions.ReadMode();

    /// <summary>Gets <c>--direct-io</c>.</summary>
    public Option<bool> DirectIo { get; } = SharedOptions.DirectIo();

    /// <summary>Gets <c>--no-direct-io</c>.</summary>
    public Option<bool> NoDirectIo { get; } = new("--no-direct-io")
    {
        Description = "Direct reads never bypass the page cache (default: left to the read mode).",
    };

    /// <summary>Gets <c>--s3-endpoint</c>.</summary>
    public Option<string?> S3Endpoint { get; } = new("--s3-endpoint")
    {
        HelpName = "URL",
        Description = "S3 API endpoint of --remote, with credentials from the environment (default: moto_server started on loopback).",
    };

    /// <summary>Gets <c>--json</c>.</summary>
    public Option<string?> Json { get; } = new("--json")
    {
        HelpName = "FILE",
        Description = "Also write the results of --matrix, --quick, --naive or --out-of-core, with a description of the machine, as JSON.",
    };

    /// <summary>Gets the options, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Directory, ReadMode, DirectIo, NoDirectIo, S3Endpoint, Json];

    /// <summary>Reads these options into <paramref name="options"/>.</summary>
    /// <exception cref="UsageException">A value is wrong, or both --direct-io and --no-direct-io are given.</exception>
    public RunnerOptions Read(ParseResult result, RunnerOptions options)
    {
        bool directIo = result.GetValue(DirectIo), noDirectIo = result.GetValue(NoDirectIo);
        if (directIo && noDirectIo)
        {
            throw new UsageException("--direct-io and --no-direct-io contradict each other; give one.");
        }

        return options with
        {
            Directory = NotEmpty(result, Directory),
            ReadMode = SharedOptions.ParseReadMode(result.GetValue(ReadMode)!),
            DirectIo = directIo ? true : noDirectIo ? false : null,
            S3Endpoint = NotEmpty(result, S3Endpoint),
            JsonPath = NotEmpty(result, Json),
        };
    }

    private static string? NotEmpty(ParseResult result, Option<string?> option) =>
        result.GetValue(option) is not { } value ? null
        : value.Trim().Length > 0 ? value
        : throw new UsageException($"{option.Name} needs a value; it was empty.");
}
