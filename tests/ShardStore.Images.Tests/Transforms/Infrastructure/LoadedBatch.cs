namespace ShardStore.Images.Tests.Transforms.Infrastructure;

/// <summary>What the consumer saw of one batch: epoch, position, sample indices, each field's bytes and the skipped positions.</summary>
internal sealed record LoadedBatch(int Epoch, long Position, long[] Samples, byte[][] Fields, int[] Skipped)
{
    public static LoadedBatch Capture(Batch batch) => new(
        batch.Epoch,
        batch.Position,
        batch.SampleIndices.ToArray(),
        [.. Enumerable.Range(0, batch.Schema.Count).Select(f => batch.GetBytes(f).ToArray())],
        batch.SkippedPositions.ToArray());
}
