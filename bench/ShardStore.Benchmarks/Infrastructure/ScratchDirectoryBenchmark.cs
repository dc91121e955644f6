using BenchmarkDotNet.Attributes;

namespace ShardStore.Benchmarks.Infrastructure;

/// <summary>
/// A benchmark class that packs its data into a fresh directory under the temp directory in setup and deletes it
/// in cleanup, also when setup fails (BenchmarkDotNet skips [GlobalCleanup] then).
/// </summary>
public abstract class ScratchDirectoryBenchmark
{
    /// <summary>Gets the scratch directory of this benchmark process.</summary>
    protected string ScratchDirectory { get; private set; } = string.Empty;

    /// <summary>Gets a short name for the directory (e.g. "decode").</summary>
    protected abstract string ScratchName { get; }

    [GlobalSetup]
    public void Setup()
    {
        ScratchDirectory = Path.Combine(Path.GetTempPath(), $"shardstore-bench-{ScratchName}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Prepare();
        }
        catch
        {
            Cleanup();
            throw;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Release();
        if (Directory.Exists(ScratchDirectory))
        {
            Directory.Delete(ScratchDirectory, recursive: true);
        }
    }

    /// <summary>Writes the data into <see cref="ScratchDirectory"/> and opens what the benchmarks use.</summary>
    protected abstract void Prepare();

    /// <summary>Disposes what <see cref="Prepare"/> opened; the directory is deleted afterwards.</summary>
    protected virtual void Release()
    {
    }
}
