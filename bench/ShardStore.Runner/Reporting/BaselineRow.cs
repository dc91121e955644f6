namespace ShardStore.Runner.Reporting;

/// <summary>A machine limit measured in the same run on the same bytes as the rows compared with it.</summary>
/// <param name="Dataset">The dataset whose bytes were used.</param>
/// <param name="Codec">The codec of the files or chunks read; "-" for memcpy, which copies raw bytes.</param>
/// <param name="Name">memcpy, page-cache read, native decode, cold read.</param>
/// <param name="Threads">Threads used.</param>
/// <param name="GigabytesPerSecond">Bytes per second (10^9): raw bytes for memcpy and decode, file bytes for reads; null when skipped.</param>
/// <param name="Note">What exactly was measured, or why it was skipped.</param>
internal sealed record BaselineRow(string Dataset, string Codec, string Name, int Threads, double? GigabytesPerSecond, string? Note);
