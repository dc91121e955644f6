namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>What the consumer saw of one batch, kept after it was disposed: its place, its samples, and every field's bytes (and a variable field's offsets).</summary>
internal sealed record RecordedBatch(int Epoch, long Position, long Sequence, long[] Samples, byte[][] Fields, long[][] Offsets)
{
    public override string ToString() => $"epoch {Epoch} position {Position} sequence {Sequence} count {Samples.Length}";
}
