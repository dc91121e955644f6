using System.Text.RegularExpressions;
using ShardStore.Format;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Publishing;

/// <summary>What a writer may remove of a directory: only the files of a ShardStore dataset that its manifest lists, and its own temporary files.</summary>
internal static partial class ExistingDataset
{
    private const int MaxNamedEntries = 10;

    /// <summary>The name the manifest is written under before it is renamed into place.</summary>
    public static string ManifestTempName { get; } = FormatConstants.ManifestFileName + ".tmp";

    /// <summary>Checks that <paramref name="target"/> is empty or holds a valid dataset and nothing else, before an overwrite replaces it.</summary>
    /// <returns>The names of the files the replacement removes; empty for an empty directory.</returns>
    /// <exception cref="IOException">The directory holds something that is not part of a dataset, or no valid manifest; nothing is changed.</exception>
    public static IReadOnlyList<string> CheckReplaceable(string target)
    {
        var entries = new DirectoryInfo(target).GetFileSystemInfos();
        if (entries.Length == 0)
        {
            return [];
        }

        string manifestPath = Path.Combine(target, FormatConstants.ManifestFileName);
        DatasetManifest manifest;
        try
        {
            manifest = ReadManifest(manifestPath);
        }
        catch (InvalidDataException e)
        {
            throw new IOException(
                $"'{target}' is not a ShardStore dataset ({e.Message}); it holds {NameEntries(entries.Select(x => x.Name).Order(StringComparer.Ordinal))}. "
                + "Overwrite replaces only a dataset: choose a new or empty directory, or remove it yourself.",
                e);
        }

        HashSet<string> own = OwnNames(manifest);
        // Shard files no manifest lists are what an interrupted append moved in: the writer's own files too.
        string[] stray = [.. entries.Where(e => e is DirectoryInfo ? !IsGenerationsDirectory(e) : !own.Contains(e.Name) && !IsWriterFileName(e.Name)).Select(e => e.Name).Order(StringComparer.Ordinal)];
        if (stray.Length > 0)
        {
            throw new IOException(
                $"'{target}' holds {NameEntries(stray)}, which {(stray.Length == 1 ? "is" : "are")} not part of its dataset; "
                + "overwrite replaces only a dataset's own files. Move these out of the directory or choose another one.");
        }

        return [.. entries.Select(e => e.Name)];
    }

    /// <summary>Reads and validates a directory's manifest, or returns null when it has no valid one.</summary>
    public static DatasetManifest? TryReadManifest(string directory)
    {
        try
        {
            return ReadManifest(Path.Combine(directory, FormatConstants.ManifestFileName));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether a writer may delete a file of this name from a directory it staged or set aside: a shard, the manifest or its temporary file.</summary>
    public static bool IsWriterFileName(string name) =>
        name == FormatConstants.ManifestFileName || name == ManifestTempName || ShardFileNamePattern().IsMatch(name);

    /// <summary>Deletes the files a writer put in <paramref name="directory"/> (those of <see cref="IsWriterFileName"/> and those its manifest lists), then the directory if that left it empty.</summary>
    /// <exception cref="IOException">A deletion failed, or the directory holds something else and stays.</exception>
    public static void DeleteWriterFiles(IWriterFileSystem fs, string directory)
    {
        HashSet<string> own = TryReadManifest(directory) is { } manifest ? OwnNames(manifest) : [];
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(file);
            if (own.Contains(name) || IsWriterFileName(name))
            {
                fs.DeleteFile(file);
            }
        }

        string generations = Path.Combine(directory, FormatConstants.GenerationsDirectoryName);
        if (Directory.Exists(generations) && IsGenerationsDirectory(new DirectoryInfo(generations)))
        {
            foreach (string file in Directory.EnumerateFiles(generations))
            {
                fs.DeleteFile(file);
            }

            fs.DeleteDirectory(generations);
        }

        fs.DeleteDirectory(directory);
    }

    // The older generations' manifests (and a temporary file of one being written), nothing else.
    private static bool IsGenerationsDirectory(FileSystemInfo entry) =>
        entry is DirectoryInfo directory
        && entry.Name == FormatConstants.GenerationsDirectoryName
        && directory.EnumerateFileSystemInfos().All(f => f is FileInfo && GenerationFileNamePattern().IsMatch(f.Name));

    private static HashSet<string> OwnNames(DatasetManifest manifest)
    {
        var own = new HashSet<string>(StringComparer.Ordinal) { FormatConstants.ManifestFileName, ManifestTempName };
        foreach (ShardInfo shard in manifest.Shards)
        {
            own.Add(shard.FileName);
        }

        return own;
    }

    private static DatasetManifest ReadManifest(string path) => ManifestSerializer.Parse(ManifestFile.ReadBytes(path), path);

    private static string NameEntries(IEnumerable<string> names)
    {
        string[] all = [.. names];
        string shown = string.Join(", ", all.Take(MaxNamedEntries).Select(n => $"'{n}'"));
        return all.Length > MaxNamedEntries ? $"{shown} and {all.Length - MaxNamedEntries} more" : shown;
    }

    [GeneratedRegex(@"^[1-9][0-9]{0,5}\.json(\.tmp)?$", RegexOptions.CultureInvariant)]
    private static partial Regex GenerationFileNamePattern();

    [GeneratedRegex(@"^shard-[0-9]{5,}\.shard$", RegexOptions.CultureInvariant)]
    private static partial Regex ShardFileNamePattern();
}
