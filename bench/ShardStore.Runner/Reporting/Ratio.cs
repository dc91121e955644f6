namespace ShardStore.Runner.Reporting;

/// <summary>A figure divided by a baseline measured in the same run: above 1 is faster than the baseline.</summary>
internal sealed record Ratio(string Baseline, double Value);
