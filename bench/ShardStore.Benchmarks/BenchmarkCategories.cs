namespace ShardStore.Benchmarks;

/// <summary>Category names for <c>--anyCategories</c> / <c>--allCategories</c> on the command line.</summary>
internal static class BenchmarkCategories
{
    /// <summary>Reading every chunk of a dataset, per codec (none, lz4, lz4hc, zstd): the raw native call (memcpy for none) against <see cref="ShardDataset.ReadChunk"/>.</summary>
    public const string ChunkDecode = "ChunkDecode";

    /// <summary>CRC32C of a chunk-sized buffer against memcpy of the same bytes.</summary>
    public const string Crc32C = "Crc32C";

    /// <summary>A loader epoch over page-cached uncompressed data (fixed and variable-length fields) against memcpy of the same bytes.</summary>
    public const string BatchGather = "BatchGather";

    /// <summary>The cost of producing a million samples' order: the loader's plan and permutation against a loop writing sequential indices.</summary>
    public const string Sampler = "Sampler";

    /// <summary>Opening a dataset of 10,000 shards against opening and closing the same files.</summary>
    public const string DatasetOpen = "DatasetOpen";
}
