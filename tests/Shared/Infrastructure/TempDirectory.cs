namespace ShardStore.Testing.Infrastructure;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
/// <remarks>
/// Each test assembly keeps its directories under a folder of its own, named after it (ShardStore.Tests:
/// "shardstore-tests"), so leftovers of a crashed run show which suite left them.
/// </remarks>
internal sealed class TempDirectory : IDisposable
{
    private static readonly string s_root = System.IO.Path.Combine(
        System.IO.Path.GetTempPath(),
        (typeof(TempDirectory).Assembly.GetName().Name ?? "shardstore-tests").ToLowerInvariant().Replace('.', '-'));

    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(s_root, Guid.NewGuid().ToString("N"));

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
