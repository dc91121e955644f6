using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ShardStore.Cuda.Internals.Ring;

/// <summary>
/// The device ring's instruments on the "ShardStore.Device" meter, visible to dotnet-counters
/// (<c>dotnet-counters monitor -n APP --counters ShardStore.Device</c>) and any MeterListener.
/// </summary>
internal static class DeviceMetrics
{
    public const string MeterName = "ShardStore.Device";

    private static readonly Meter s_meter = new(MeterName, typeof(DeviceMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> Batches = s_meter.CreateCounter<long>("shardstore.device.batches", "{batch}", "Batches whose copies to the device were issued.");

    public static readonly Counter<long> Bytes = s_meter.CreateCounter<long>("shardstore.device.bytes", "By", "Bytes copied to the device (values and offsets).");

    public static readonly Counter<double> CopyIssueTime = s_meter.CreateCounter<double>("shardstore.device.copy_issue_time", "s", "Time the copy thread spent issuing batches' copies (registration, growth of device buffers, the asynchronous copy calls).");

    public static readonly Counter<double> CopyWait = s_meter.CreateCounter<double>("shardstore.device.copy_wait", "s", "Time the copy thread waited for copies to finish before handing host batches back to the loader.");

    public static readonly Counter<double> SlotWait = s_meter.CreateCounter<double>("shardstore.device.slot_wait", "s", "Time the copy thread waited for the consumer to release a device slot.");

    public static readonly Counter<double> ConsumerWait = s_meter.CreateCounter<double>("shardstore.device.consumer_wait", "s", "Time the consumer waited for a device batch.");

    /// <summary>Adds the time since <paramref name="start"/> (a <see cref="Stopwatch"/> timestamp) to <paramref name="counter"/>.</summary>
    public static void AddSince(Counter<double> counter, long start) => counter.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
}
