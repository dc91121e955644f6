namespace ShardStore;

/// <summary>One generation of a dataset: the manifest one publish (a pack, then each append) left, as the newest manifest records it.</summary>
/// <param name="Number">The generation, from 1; a dataset written before generations has only generation 1.</param>
/// <param name="Created">When the generation was published (UTC), or null when unknown (a first generation whose time nothing recorded).</param>
/// <param name="ShardCount">The shards of the generation: the first <paramref name="ShardCount"/> shards of every later one.</param>
/// <param name="SampleCount">The samples of the generation: the first <paramref name="SampleCount"/> samples of every later one.</param>
/// <param name="Fingerprint">The <see cref="ShardDataset.Fingerprint"/> of the dataset opened at this generation.</param>
public sealed record DatasetGeneration(int Number, DateTimeOffset? Created, int ShardCount, long SampleCount, string Fingerprint);
