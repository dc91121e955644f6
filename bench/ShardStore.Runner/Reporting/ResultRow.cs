namespace ShardStore.Runner.Reporting;

/// <summary>One measured way of delivering batches (ShardLoader, or a naive loader) over one dataset, or why it was skipped.</summary>
/// <param name="Scenario">ShardLoader, file per sample, in-memory generator, ShardLoader out-of-core.</param>
/// <param name="Dataset">The generated dataset (mnist, image).</param>
/// <param name="Codec">The chunk codec the data was packed with; none for the naive loaders.</param>
/// <param name="Order">sequential, window or random (the naive loaders shuffle: random).</param>
/// <param name="Cache">warm: files in the page cache; cold: dropped before the pass.</param>
/// <param name="Threads">Decode workers or reader threads.</param>
/// <param name="SamplesPerEpoch">Samples delivered in one epoch, checked against what was packed.</param>
/// <param name="Epochs">Epochs measured; the rates are of the best.</param>
/// <param name="SamplesPerSecond">Samples per second of the best epoch.</param>
/// <param name="GigabytesPerSecond">Raw sample bytes delivered per second (10^9 bytes).</param>
/// <param name="Ratios">The rate against each baseline of this row.</param>
/// <param name="ConsumerWaitSeconds">Time the consumer waited for batches, over all epochs.</param>
/// <param name="TotalSeconds">Time of all epochs.</param>
/// <param name="PeakRssBytes">Peak resident set over the scenario (Linux VmHWM), null where unknown.</param>
/// <param name="PeakAnonBytes">Peak anonymous resident memory over the scenario (Linux RssAnon, sampled), null where unknown.</param>
/// <param name="Note">A verdict or why the row was skipped ("skipped: ...").</param>
internal sealed record ResultRow(
    string Scenario,
    string Dataset,
    string Codec,
    string Order,
    string Cache,
    int Threads,
    long? SamplesPerEpoch,
    int? Epochs,
    double? SamplesPerSecond,
    double? GigabytesPerSecond,
    IReadOnlyList<Ratio> Ratios,
    double? ConsumerWaitSeconds,
    double? TotalSeconds,
    long? PeakRssBytes,
    long? PeakAnonBytes,
    string? Note)
{
    /// <summary>A row that could not be measured, saying why.</summary>
    public static ResultRow Skipped(string scenario, string dataset, string codec, string order, string cache, int threads, string reason) =>
        new(scenario, dataset, codec, order, cache, threads, null, null, null, null, [], null, null, null, null, "skipped: " + reason);
}
