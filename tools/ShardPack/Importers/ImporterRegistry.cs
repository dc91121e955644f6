namespace ShardPack.Importers;

/// <summary>The input formats <c>shardpack pack --from</c> accepts.</summary>
internal static class ImporterRegistry
{
    private static readonly Dictionary<string, Func<PackArguments, IImporter>> s_importers = new(StringComparer.OrdinalIgnoreCase)
    {
        // One line per format: ["name"] = XImporter.Create,
        ["ctf"] = CtfImporter.Create,
        ["tfrecord"] = TfRecordImporter.Create,
        ["raw"] = RawImporter.Create,
        ["csv"] = CsvImporter.Create,
        ["files"] = FilesImporter.Create,
        ["npy"] = NpyImporter.Create,
        ["imagefolder"] = ImageFolderImporter.Create,
    };

    public static IReadOnlyCollection<string> Formats => s_importers.Keys;

    /// <exception cref="UsageException">Unknown format, or the format's options are wrong.</exception>
    /// <exception cref="InvalidDataException">The input's header or first record is malformed.</exception>
    public static IImporter Create(PackArguments arguments) =>
        s_importers.TryGetValue(arguments.From, out Func<PackArguments, IImporter>? create)
            ? create(arguments)
            : throw new UsageException($"Unknown input format '{arguments.From}'; use one of: {string.Join(", ", s_importers.Keys.Order(StringComparer.Ordinal))}.");
}
