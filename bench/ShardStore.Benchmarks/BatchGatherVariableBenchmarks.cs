using BenchmarkDotNet.Attributes;
using ShardStore.Benchmarks.Infrastructure;

namespace ShardStore.Benchmarks;

/// <summary>
/// <see cref="BatchGatherBenchmarks"/> over a variable-length field: 2,048 byte blobs of random length 1 to 64 KiB
/// (64 MiB), stored uncompressed, batches of 32 samples (about 1 MiB).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.BatchGather)]
[Throughput(VariableBlobDataset.BlobBytes)]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class BatchGatherVariableBenchmarks : BatchGatherBenchmarks
{
    protected override int BatchSize => 32;

    protected override long BytesPerEpoch => VariableBlobDataset.BlobBytes;

    protected override long SamplesPerEpoch => VariableBlobDataset.SampleCount;

    protected override void WriteDataset(string directory) => VariableBlobDataset.Write(directory);

    protected override long ConsumeBatch(Batch batch) => batch.GetVariable<byte>(0).Values.Length;
}
