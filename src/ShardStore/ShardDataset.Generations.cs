using ShardStore.Format;
using ShardStore.Internals.Sources;

namespace ShardStore;

/// <content>Generations: which one the dataset was opened at, and the manifest of an older one.</content>
public sealed partial class ShardDataset
{
    /// <summary>
    /// Gets the generation the dataset was opened at: 1 for a pack, one more for each append
    /// (<see cref="DatasetWriter.Append"/>). An open dataset never changes generation; it sees the samples of its own.
    /// </summary>
    public int Generation { get; private init; }

    /// <summary>Gets every generation up to the one opened, oldest first (the last is this one); each is a prefix of the next.</summary>
    public IReadOnlyList<DatasetGeneration> Generations { get; private init; } = [];

    // The generation asked for, in place of the newest: its manifest must be the bytes whose fingerprint the newest records.
    private static (byte[] Bytes, DatasetManifest Manifest) ReadGeneration(DatasetSource source, byte[] newestBytes, DatasetManifest newest, int? generation)
    {
        if (generation is not int asked || asked == newest.Generation)
        {
            return (newestBytes, newest);
        }

        if (asked < 1 || asked > newest.Generation)
        {
            throw new GenerationNotFoundException(source.Location, asked, newest.Generation);
        }

        byte[] bytes = source.ReadGenerationManifest(asked, out string name);
        string expected = newest.History[asked - 1].Fingerprint;
        string actual = ManifestSerializer.Fingerprint(bytes);
        if (actual != expected)
        {
            throw DataErrors.Create(
                $"generation {asked}'s manifest has fingerprint {actual}, but manifest.json records {expected} for it; the file was changed, the dataset is damaged",
                name);
        }

        DatasetManifest manifest = ManifestSerializer.Parse(bytes, name);
        if (manifest.Generation != asked || manifest.Identity != newest.Identity)
        {
            throw DataErrors.Create(
                $"the file says generation {manifest.Generation} of dataset {manifest.Identity}, not generation {asked} of {newest.Identity}; the dataset is damaged",
                name);
        }

        return (bytes, manifest);
    }

    // An older generation is listed as the newest manifest records it, with the time of its publishing.
    private static DatasetGeneration[] ListGenerations(DatasetManifest newest, DatasetManifest opened, string fingerprint) =>
        opened.Generation < newest.Generation
            ? [.. newest.History.Take(opened.Generation)]
            : [.. opened.History, new DatasetGeneration(opened.Generation, opened.Created, opened.Shards.Count, opened.SampleCount, fingerprint)];
}
