namespace ShardStore.Runner.Reporting;

/// <summary>A dataset generated and packed for the run.</summary>
internal sealed record PackRow(string Dataset, string Codec, long Samples, long RawBytes, long StoredBytes, int Shards, long Chunks, double PackSeconds)
{
    public double CompressionRatio => (double)RawBytes / StoredBytes;
}
