using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ShardStore.Benchmarks.Infrastructure;

/// <summary>Bytes per second from the mean time of an invocation and the class's <see cref="ThroughputAttribute"/>.</summary>
/// <remarks>
/// Columns are evaluated in the host process, which never runs the benchmark's setup, so the byte count comes
/// from an attribute constant rather than from state built in <c>[GlobalSetup]</c>.
/// </remarks>
internal sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "Throughput";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes processed per invocation / mean time, in GB/s (10^9 bytes per second)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ThroughputAttribute? bytes = benchmarkCase.Descriptor.Type.GetCustomAttribute<ThroughputAttribute>();
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (bytes is null || meanNanoseconds is not > 0)
        {
            return "-";
        }

        // Bytes per nanosecond is GB/s.
        return (bytes.BytesPerInvocation / meanNanoseconds.Value).ToString("0.00", CultureInfo.InvariantCulture) + " GB/s";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
