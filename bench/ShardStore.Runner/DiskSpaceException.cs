namespace ShardStore.Runner;

/// <summary>A benchmark needs more free disk space than the data directory has; the message says how much and what to do.</summary>
internal sealed class DiskSpaceException : IOException
{
    public DiskSpaceException(string message)
        : base(message)
    {
    }

    public DiskSpaceException()
    {
    }

    public DiskSpaceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
