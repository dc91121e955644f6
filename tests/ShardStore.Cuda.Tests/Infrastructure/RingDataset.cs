namespace ShardStore.Cuda.Tests.Infrastructure;

/// <summary>A <see cref="RingData"/> dataset in a temporary directory of its own, for the lifetime of a test class.</summary>
internal sealed class RingDataset : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>Writes and opens a dataset of <paramref name="count"/> samples.</summary>
    public RingDataset(long count)
    {
        Dataset = RingData.Open(RingData.Write(_dir, count));
    }

    /// <summary>Gets the open dataset.</summary>
    public ShardDataset Dataset { get; }

    public void Dispose()
    {
        Dataset.Dispose();
        _dir.Dispose();
    }
}
