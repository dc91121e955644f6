namespace ShardStore.Runner.Reporting;

/// <summary>The settings every row of a run shares.</summary>
internal sealed record BenchmarkSettings(int Threads, int Epochs, int BatchSize, int ImageBatchSize, int ChunkBytes, string Checksums);
