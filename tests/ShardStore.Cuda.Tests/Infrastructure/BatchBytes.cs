namespace ShardStore.Cuda.Tests.Infrastructure;

/// <summary>The bytes of one batch, field by field (values, and offsets for a variable field), with what identifies it.</summary>
internal sealed record BatchBytes(long Sequence, int Epoch, long[] Samples, byte[][] Values, byte[]?[] Offsets);
