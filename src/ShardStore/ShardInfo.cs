namespace ShardStore;

/// <summary>One shard of a dataset as the manifest records it.</summary>
/// <param name="Index">Position in the manifest's shard list.</param>
/// <param name="FileName">File name inside the dataset directory.</param>
/// <param name="FirstSample">Global index of the shard's first sample.</param>
/// <param name="SampleCount">Samples in the shard.</param>
/// <param name="ChunkCount">Chunks in the shard.</param>
/// <param name="FileBytes">Size of the shard file.</param>
/// <param name="RawBytes">Sum of the chunks' raw (decoded) sizes.</param>
/// <param name="StoredBytes">Sum of the chunks' stored (encoded) sizes.</param>
/// <param name="TableCrc32C">CRC32C of the shard's chunk table, which also holds every chunk's CRC.</param>
public sealed record ShardInfo(int Index, string FileName, long FirstSample, long SampleCount, int ChunkCount, long FileBytes, long RawBytes, long StoredBytes, uint TableCrc32C);
