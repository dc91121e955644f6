namespace ShardStore;

/// <summary>How a <see cref="DatasetSplit"/> chooses its samples.</summary>
public enum SplitMethod
{
    /// <summary>A range of consecutive sample indices.</summary>
    Range = 0,

    /// <summary>The samples whose keyed hash of their index falls in a range of [0, 1): spread over the whole dataset.</summary>
    Hash = 1,
}
