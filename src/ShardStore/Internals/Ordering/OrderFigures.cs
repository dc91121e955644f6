namespace ShardStore.Internals.Ordering;

/// <summary>Shuffle-quality figures of the batches of a plan.</summary>
/// <param name="Batches">Batches measured.</param>
/// <param name="MeanChunks">Mean distinct source chunks per batch.</param>
/// <param name="MinChunks">Fewest distinct source chunks in a batch.</param>
/// <param name="MeanLabels">Mean distinct label values per batch (0 without labels).</param>
/// <param name="MinLabels">Fewest distinct label values in a batch (0 without labels).</param>
internal readonly record struct OrderFigures(long Batches, double MeanChunks, int MinChunks, double MeanLabels, int MinLabels);
