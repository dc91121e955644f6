using BenchmarkDotNet.Attributes;
using ShardStore.Benchmarks.Infrastructure;
using ShardStore.Compression;

namespace ShardStore.Benchmarks;

/// <summary>
/// <see cref="BatchGatherBenchmarks"/> over fixed-shape fields: the MNIST-like dataset (21,344 samples of 784 float32
/// + an int64 label, 64 MiB) stored uncompressed, batches of 256 samples.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(BenchmarkCategories.BatchGather)]
[Throughput(MnistLikeDataset.RawBytes)]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class BatchGatherFixedBenchmarks : BatchGatherBenchmarks
{
    protected override int BatchSize => 256;

    protected override long BytesPerEpoch => MnistLikeDataset.RawBytes;

    protected override long SamplesPerEpoch => MnistLikeDataset.SampleCount;

    protected override void WriteDataset(string directory) => MnistLikeDataset.Write(directory, CodecKind.None);

    protected override long ConsumeBatch(Batch batch)
    {
        ReadOnlySpan<float> features = batch.GetFixed<float>(0);
        ReadOnlySpan<long> labels = batch.GetFixed<long>(1);
        return ((long)features.Length * sizeof(float)) + ((long)labels.Length * sizeof(long));
    }
}
