using ShardStore.Compression;

namespace ShardStore.Format;

/// <summary>The contents of manifest.json.</summary>
internal sealed record DatasetManifest(
    string Creator,
    Schema Schema,
    long SampleCount,
    CodecKind Codec,
    int Level,
    int ChunkTargetBytes,
    long ShardTargetBytes,
    IReadOnlyList<ShardInfo> Shards,
    IReadOnlyDictionary<string, string> Metadata,
    DatasetIdentity Identity = default);
