using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ShardStore.Benchmarks.Infrastructure;

/// <summary>Mean time of an invocation divided by the items it handles, from the class's <see cref="PerItemAttribute"/>.</summary>
/// <remarks>Like <see cref="ThroughputColumn"/>, the count comes from an attribute constant because columns are evaluated in the host process.</remarks>
internal sealed class PerItemColumn(string itemName) : IColumn
{
    public string Id => nameof(PerItemColumn) + "." + itemName;

    public string ColumnName => "Time/" + itemName;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Mean time / {itemName}s handled per invocation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        PerItemAttribute? items = benchmarkCase.Descriptor.Type.GetCustomAttribute<PerItemAttribute>();
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (items is null || items.ItemsPerInvocation <= 0 || meanNanoseconds is not > 0)
        {
            return "-";
        }

        double perItem = meanNanoseconds.Value / items.ItemsPerInvocation;
        return perItem switch
        {
            < 1_000 => perItem.ToString("0.00", CultureInfo.InvariantCulture) + " ns",
            < 1_000_000 => (perItem / 1_000).ToString("0.00", CultureInfo.InvariantCulture) + " μs",
            _ => (perItem / 1_000_000).ToString("0.00", CultureInfo.InvariantCulture) + " ms",
        };
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
