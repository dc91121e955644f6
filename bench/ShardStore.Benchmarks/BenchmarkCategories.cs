namespace ShardStore.Benchmarks;

/// <summary>Category names for <c>--anyCategories</c> / <c>--allCategories</c> on the command line.</summary>
internal static class BenchmarkCategories
{
    /// <summary>Decoding every lz4 chunk of a dataset: raw native calls against <see cref="ShardDataset.ReadChunk"/>.</summary>
    public const string Lz4Decode = "Lz4Decode";

    /// <summary>CRC32C of a chunk-sized buffer against memcpy of the same bytes.</summary>
    public const string Crc32C = "Crc32C";
}
