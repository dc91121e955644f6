namespace ShardStore.Storage;

/// <summary>One version of an object in an object store: its length and the tag the store gives that version (an S3 ETag).</summary>
/// <param name="Length">The object's length in bytes.</param>
/// <param name="Tag">The version's tag; another tag means other bytes.</param>
public readonly record struct ObjectVersion(long Length, string Tag);
