namespace ShardStore.Runner.Reporting;

/// <summary>Everything a benchmark run measured, as written by <c>--json</c>.</summary>
internal sealed record BenchmarkReport(
    MachineInfo Machine,
    string Arguments,
    double Seconds,
    BenchmarkSettings Settings,
    IReadOnlyList<PackRow> Datasets,
    IReadOnlyList<BaselineRow> Baselines,
    IReadOnlyList<ResultRow> Rows);
