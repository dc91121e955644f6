using System.Diagnostics.Metrics;

namespace ShardStore.Internals.Loading;

/// <summary>
/// The loader's instruments on the "ShardStore.Loader" meter, visible to dotnet-counters
/// (<c>dotnet-counters monitor -n APP --counters ShardStore.Loader</c>) and any MeterListener.
/// </summary>
internal static class LoaderMetrics
{
    public const string MeterName = "ShardStore.Loader";

    private static readonly Meter s_meter = new(MeterName, typeof(LoaderMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Batches = s_meter.CreateCounter<long>("shardstore.loader.batches", "{batch}", "Batches handed to the consumer.");

    public static readonly Counter<long> Samples = s_meter.CreateCounter<long>("shardstore.loader.samples", "{sample}", "Samples handed to the consumer.");

    public static readonly Counter<long> Bytes = s_meter.CreateCounter<long>("shardstore.loader.bytes", "By", "Bytes of field data handed to the consumer.");

    public static readonly Counter<double> ConsumerWait = s_meter.CreateCounter<double>("shardstore.loader.consumer_wait", "s", "Time the consumer waited for a batch.");

    public static readonly Counter<double> DecodeTime = s_meter.CreateCounter<double>("shardstore.loader.decode_time", "s", "Time workers spent reading, verifying and decoding chunks.");

    public static readonly UpDownCounter<long> BudgetInUse = s_meter.CreateUpDownCounter<long>("shardstore.loader.budget_in_use", "By", "Bytes of loader memory budgets in use (batch slots and decoded chunks).");
}
