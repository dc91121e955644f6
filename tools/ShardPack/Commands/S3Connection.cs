using ShardStore.S3;

namespace ShardPack.Commands;

/// <summary>How the commands that write to S3 reach it: the standard AWS configuration chain (environment variables, profile files).</summary>
internal static class S3Connection
{
    /// <summary>Gets a replacement of the configuration chain for the current test (flows with the async context).</summary>
    internal static AsyncLocal<S3StorageOptions?> TestOptions { get; } = new();

    /// <summary>Gets the options for a new client.</summary>
    public static S3StorageOptions Options => TestOptions.Value ?? new S3StorageOptions();
}
