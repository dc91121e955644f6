namespace ShardStore;

/// <summary>When a reader checks a chunk's CRC32C before handing its data out.</summary>
public enum ChecksumPolicy
{
    /// <summary>On every read of the chunk.</summary>
    Always = 0,

    /// <summary>On the first read of each chunk in this <see cref="ShardDataset"/>; later reads trust it.</summary>
    FirstTouch = 1,
}
