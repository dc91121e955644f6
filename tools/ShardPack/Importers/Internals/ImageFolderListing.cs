using System.IO.Enumeration;
using System.Text;

namespace ShardPack.Importers.Internals;

/// <summary>
/// The image files of a folder laid out as <c>DIR/CLASS/.../FILE</c> (torchvision's <c>ImageFolder</c>, Keras's
/// <c>flow_from_directory</c>): class folders sorted by code point (Python's <c>sorted()</c>) become labels 0..K-1;
/// files with a .jpg, .jpeg or .png extension (any case) anywhere below a class folder are its samples, in code point
/// order of their relative paths.
/// </summary>
/// <remarks>
/// Hidden entries (names starting with '.') are not looked at, so a stray <c>.ipynb_checkpoints</c> folder is not a
/// class. Symbolic links to directories below a class folder are not followed (no cycles); links to files are, and
/// the importer checks where they lead.
/// </remarks>
internal sealed class ImageFolderListing
{
    private static readonly string[] s_extensions = [".jpg", ".jpeg", ".png"];

    private ImageFolderListing(string root, IReadOnlyList<string> classes, List<Entry> files, long ignored, string? firstIgnored, long bytes)
    {
        Root = root;
        Classes = classes;
        Files = files;
        IgnoredCount = ignored;
        FirstIgnored = firstIgnored;
        TotalBytes = bytes;
    }

    /// <summary>Gets the folder, as given.</summary>
    public string Root { get; }

    /// <summary>Gets the class names in label order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Gets the image files in class order, then ordinal order of path; the importer may reorder them.</summary>
    public List<Entry> Files { get; }

    /// <summary>Gets the number of files left out for their extension (top-level files included).</summary>
    public long IgnoredCount { get; }

    /// <summary>Gets the relative path of the first file left out, as an example for the summary.</summary>
    public string? FirstIgnored { get; }

    /// <summary>Gets the sizes of the image files added up, for progress.</summary>
    public long TotalBytes { get; }

    /// <summary>Lists <paramref name="root"/>.</summary>
    /// <exception cref="UsageException"><paramref name="root"/> does not exist or is not a folder.</exception>
    /// <exception cref="InvalidDataException">A folder below it cannot be listed; the message names it.</exception>
    public static ImageFolderListing Read(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new UsageException(File.Exists(root)
                ? $"--from imagefolder: '{root}' is a file; give the folder that holds one subfolder per class."
                : $"--from imagefolder: the folder '{root}' does not exist.");
        }

        var options = new EnumerationOptions { IgnoreInaccessible = false, RecurseSubdirectories = false, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        string[] classes;
        long ignored;
        string? firstIgnored;
        try
        {
            classes = [.. Directory.EnumerateDirectories(root, "*", options).Select(Path.GetFileName).Where(IsVisible).Order(CodePointOrder.Instance)!];
            string[] loose = [.. Directory.EnumerateFiles(root, "*", options).Select(Path.GetFileName).Where(IsVisible).Order(StringComparer.Ordinal)!];
            ignored = loose.Length;
            firstIgnored = loose.FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Create($"the folder cannot be listed: {e.Message}", root, innerException: e);
        }

        var files = new List<Entry>();
        long bytes = 0;
        var recursive = new EnumerationOptions { IgnoreInaccessible = false, RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        for (int label = 0; label < classes.Length; label++)
        {
            string classFolder = Path.Combine(root, classes[label]);
            var found = new List<Entry>();
            try
            {
                var enumeration = new FileSystemEnumerable<(string Relative, long Length)>(
                    classFolder,
                    (ref FileSystemEntry entry) => (Path.GetRelativePath(root, entry.ToFullPath()).Replace('\\', '/'), entry.Length),
                    recursive)
                {
                    ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && IsVisible(entry.FileName.ToString()),
                };
                foreach ((string relative, long length) in enumeration)
                {
                    if (HasImageExtension(relative))
                    {
                        found.Add(new Entry(relative, label, length));
                        bytes += length;
                    }
                    else
                    {
                        ignored++;
                        firstIgnored ??= relative;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw DataErrors.Create($"the class folder '{classes[label]}' (or a folder below it) cannot be listed: {e.Message}", classFolder, innerException: e);
            }

            found.Sort(static (a, b) => CodePointOrder.Instance.Compare(a.RelativePath, b.RelativePath));
            files.AddRange(found);
        }

        return new ImageFolderListing(root, classes, files, ignored, firstIgnored, bytes);
    }

    private static bool HasImageExtension(string path) =>
        s_extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private static bool IsVisible(string? name) => name is { Length: > 0 } && name[0] != '.';

    /// <summary>Orders strings by Unicode code point, as Python's <c>sorted()</c> orders <c>str</c> (ordinal UTF-16 order differs above U+FFFF).</summary>
    private sealed class CodePointOrder : IComparer<string?>
    {
        public static readonly CodePointOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }

            int i = 0, j = 0;
            while (i < x.Length && j < y.Length)
            {
                Rune.DecodeFromUtf16(x.AsSpan(i), out Rune a, out int taken);
                i += taken;
                Rune.DecodeFromUtf16(y.AsSpan(j), out Rune b, out taken);
                j += taken;
                if (a.Value != b.Value)
                {
                    return a.Value.CompareTo(b.Value);
                }
            }

            return (x.Length - i).CompareTo(y.Length - j);
        }
    }

    /// <summary>One image file: its path relative to the root ('/' separated) and its label.</summary>
    public readonly record struct Entry(string RelativePath, int Label, long Length);
}
