using System.CommandLine;
using ShardPack;
using ShardPack.Commands;

namespace ShardStore.Runner.Cli;

/// <summary>
/// The runner's options for how datasets are packed and streamed: the ones shardpack takes too, created from
/// <see cref="SharedOptions"/> so both spell, default and check them alike.
/// </summary>
internal sealed class LoaderOptions
{
    /// <summary>Gets <c>--codec</c>.</summary>
    public Option<string> Codec { get; } = SharedOptions.Codec();

    /// <summary>Gets <c>--threads</c>.</summary>
    public Option<int> Threads { get; } = SharedOptions.Threads();

    /// <summary>Gets <c>--epochs</c>.</summary>
    public Option<int> Epochs { get; } = SharedOptions.Epochs(
        "Measured passes over the dataset, the best reported (default 3; 2 with --quick); the main job runs one more first, which verifies checksums and warms up.");

    /// <summary>Gets <c>--order</c>.</summary>
    public Option<string> Order { get; } = SharedOptions.Order();

    /// <summary>Gets <c>--batch-size</c>.</summary>
    public Option<int> BatchSize { get; } = SharedOptions.BatchSize();

    /// <summary>Gets <c>--chunk-size</c>.</summary>
    public Option<string> ChunkSize { get; } = SharedOptions.ChunkSize();

    /// <summary>Gets the options, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Codec, Threads, Epochs, Order, BatchSize, ChunkSize];

    /// <summary>Reads these options into <paramref name="options"/>.</summary>
    /// <exception cref="UsageException">A value is wrong; the message names the option.</exception>
    public RunnerOptions Read(ParseResult result, RunnerOptions options) => options with
    {
        Codec = SharedOptions.GetCodec(result, Codec),
        Threads = SharedOptions.GetThreads(result, Threads),
        GivenEpochs = SharedOptions.GetEpochs(result, Epochs),
        Order = SharedOptions.GetOrder(result, Order),
        BatchSize = SharedOptions.GetBatchSize(result, BatchSize),
        ChunkBytes = SharedOptions.GetChunkBytes(result, ChunkSize),
    };
}
