using System.Diagnostics.Metrics;

namespace ShardStore.Internals.Writing;

/// <summary>
/// The writer's instruments on the "ShardStore.Writer" meter, visible to dotnet-counters
/// (<c>dotnet-counters monitor -n APP --counters ShardStore.Writer</c>) and any MeterListener.
/// </summary>
internal static class WriterMetrics
{
    public const string MeterName = "ShardStore.Writer";

    private static readonly Meter s_meter = new(MeterName, typeof(WriterMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Samples = s_meter.CreateCounter<long>("shardstore.writer.samples", "{sample}", "Samples written to shard files.");

    public static readonly Counter<long> BytesIn = s_meter.CreateCounter<long>("shardstore.writer.bytes_in", "By", "Raw chunk bytes written (before compression).");

    public static readonly Counter<long> BytesOut = s_meter.CreateCounter<long>("shardstore.writer.bytes_out", "By", "Stored chunk bytes written (after compression).");

    public static readonly Counter<long> Chunks = s_meter.CreateCounter<long>("shardstore.writer.chunks", "{chunk}", "Chunks written to shard files.");

    public static readonly Counter<long> Shards = s_meter.CreateCounter<long>("shardstore.writer.shards", "{shard}", "Shard files finished.");

    public static readonly Counter<double> EncodeWait = s_meter.CreateCounter<double>("shardstore.writer.encode_wait", "s", "Time the writing thread waited for chunks still being compressed.");

    public static readonly Counter<double> FlushWait = s_meter.CreateCounter<double>("shardstore.writer.flush_wait", "s", "Time the writer waited for finished shards to reach the disk (or the object store).");
}
