namespace ShardStore.Internals.Reading;

/// <summary>The rule of format v1 a chunk-table entry breaks; <see cref="ShardFile"/> checks every entry at open and words the message only for a broken one.</summary>
internal enum ChunkEntryProblem : byte
{
    None,
    Offset,
    StoredSize,
    PastTable,
    Samples,
    RawSize,
    UncompressedSizes,
    NotSmaller,
    DecompressionBomb,
}
