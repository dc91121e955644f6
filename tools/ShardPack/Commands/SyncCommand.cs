using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ShardPack.Internals;
using ShardPack.Sync;
using ShardStore.S3;
using ShardStore.Storage;

namespace ShardPack.Commands;

/// <summary><c>shardpack sync SRC DST</c>: copies a dataset between local directories and S3 prefixes, checking every chunk, resumable.</summary>
internal static class SyncCommand
{
    public static Command Create(CommandContext context)
    {
        var from = new Argument<string>("SRC") { Description = "The dataset to copy: a directory or s3://bucket/prefix." };
        var to = new Argument<string>("DST") { Description = "Where to copy it: a directory or s3://bucket/prefix." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace another dataset at DST; its files are deleted only after the new manifest is in place." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing but errors." };
        var command = new Command(
            "sync",
            "Copy a dataset between local disk and S3 (either way), checking every chunk's CRC32C before the copy is published; a rerun copies only what is missing.")
        {
            from, to, overwrite, quiet,
        };
        command.SetAction(r => context.Guard(() => Run(context, r.GetValue(from)!, r.GetValue(to)!, r.GetValue(overwrite), r.GetValue(quiet))));
        return command;
    }

    /// <summary>Runs a sync; <paramref name="shardCopied"/> is called after each shard copied (tests interrupt with it).</summary>
    internal static int Run(CommandContext context, string from, string to, bool overwrite, bool quiet, Action<int>? shardCopied = null)
    {
        CheckLocations(from, to);
        context.InterruptionLeaves = "published nothing: the shards copied so far stay without a manifest, so the destination is not a dataset yet; run the same sync again to copy only what is missing";
        var clock = Stopwatch.StartNew();
        using IDatasetSource source = OpenSource(from);
        using IDatasetSource destinationReader = OpenSource(to);
        using IDatasetPublisher destination = OpenDestination(to);
        (destination as LocalDatasetPublisher)?.DeleteLeftovers();
        var sync = new DatasetSync(source, destinationReader, destination, overwrite, Path.GetTempPath()) { ShardCopied = shardCopied };
        SyncResult result = sync.RunAsync(context.CancellationToken).GetAwaiter().GetResult();
        if (!quiet)
        {
            context.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"synced {from} to {to}: {HumanUnits.Count(result.Shards, "shard")}, {result.Copied} copied ({HumanUnits.Bytes(result.BytesCopied)}, every chunk checked), {result.AlreadyPresent} already there; manifest {(result.ManifestWritten ? "written" : "unchanged")}; {clock.Elapsed.TotalSeconds:F2} s"));
        }

        return ExitCodes.Success;
    }

    private static void CheckLocations(string from, string to)
    {
        bool s3From = S3Location.IsS3Uri(from), s3To = S3Location.IsS3Uri(to);
        bool same = s3From && s3To
            ? S3Location.Parse(from).Equals(S3Location.Parse(to))
            : !s3From && !s3To && RealPath.Resolve(from, Environment.CurrentDirectory) == RealPath.Resolve(to, Environment.CurrentDirectory);
        if (same)
        {
            throw new UsageException($"SRC '{from}' and DST '{to}' are the same location; choose another destination.");
        }

        if (!s3To && File.Exists(to))
        {
            throw new UsageException($"DST '{to}' is a file; a dataset is a directory, so choose a directory path.");
        }
    }

    private static IDatasetSource OpenSource(string location) =>
        S3Location.IsS3Uri(location) ? new S3DatasetSource(S3ObjectStore.Create(location, S3Connection.Options)) : new LocalDatasetSource(Path.GetFullPath(location));

    private static IDatasetPublisher OpenDestination(string location) =>
        S3Location.IsS3Uri(location) ? S3DatasetPublisher.Create(location, S3Connection.Options) : new LocalDatasetPublisher(Path.GetFullPath(location));
}
