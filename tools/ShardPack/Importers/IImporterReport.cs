namespace ShardPack.Importers;

/// <summary>An importer that adds manifest metadata and has something to tell the user once its samples are written.</summary>
internal interface IImporterReport
{
    /// <summary>Gets the manifest metadata the importer adds, known before the first sample is written.</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Gets lines for the pack summary (counts of what was left out and why), complete after <see cref="IImporter.WriteSamples"/>.</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>Gets the problems the user should act on (empty classes, skipped files), complete after <see cref="IImporter.WriteSamples"/>; printed even with <c>--quiet</c>.</summary>
    IReadOnlyList<string> Warnings { get; }
}
