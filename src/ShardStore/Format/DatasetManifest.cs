using ShardStore.Compression;

namespace ShardStore.Format;

/// <summary>The contents of manifest.json (or of an older generation's generations/N.json).</summary>
/// <remarks>
/// <see cref="Generation"/> is 1 for a pack and grows by one with each append; <see cref="History"/> lists every earlier
/// generation (1 to Generation - 1), each a prefix of this one's shards. A manifest written before generations is
/// generation 1 with no history, and a first generation is written without either, byte for byte as before.
/// </remarks>
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
    DatasetIdentity Identity = default)
{
    /// <summary>Gets the generation, from 1.</summary>
    public int Generation { get; init; } = 1;

    /// <summary>Gets when the generation was published, or null when unknown (a first generation).</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Gets the earlier generations, oldest first (numbers 1 to <see cref="Generation"/> - 1).</summary>
    public IReadOnlyList<DatasetGeneration> History { get; init; } = [];
}
