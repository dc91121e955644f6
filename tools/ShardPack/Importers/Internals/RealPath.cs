namespace ShardPack.Importers.Internals;

/// <summary>Resolves a path the way the kernel does: every symbolic link of every component followed, <c>..</c> applied to what the link led to.</summary>
internal static class RealPath
{
    // As Linux's MAXSYMLINKS: more links than this on one path is a loop.
    private const int MaxLinks = 40;

    private static readonly char[] s_separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <summary>Gets the comparison of paths on this system.</summary>
    public static StringComparison Comparison => OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>Returns the absolute path <paramref name="path"/> names once each link is followed; the part past a missing component is kept as written.</summary>
    /// <exception cref="IOException">The path holds a loop of links.</exception>
    public static string Resolve(string path)
    {
        // Not Path.GetFullPath: it applies '..' to the text, before the links it follows are known.
        string full = Path.IsPathFullyQualified(path) ? path : Path.Join(Directory.GetCurrentDirectory(), path);
        string root = Path.GetPathRoot(full) ?? string.Empty;
        var pending = new Stack<string>();
        Push(pending, full[root.Length..]);
        string current = root;
        int links = 0;
        while (pending.TryPop(out string? part))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string next = Path.Join(current, part);
            string? target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"'{path}' has more than {MaxLinks} symbolic links to follow; is there a loop?");
            }

            if (Path.IsPathFullyQualified(target))
            {
                current = Path.GetPathRoot(target) ?? string.Empty;
                Push(pending, target[current.Length..]);
            }
            else
            {
                Push(pending, target);
            }
        }

        return current;
    }

    /// <summary>Returns whether <paramref name="path"/> is <paramref name="folder"/> or lies inside it (both already resolved).</summary>
    public static bool IsUnder(string path, string folder)
    {
        string trimmed = Path.TrimEndingDirectorySeparator(folder);
        return path.Equals(trimmed, Comparison)
            || (path.StartsWith(trimmed, Comparison) && path.Length > trimmed.Length && s_separators.Contains(path[trimmed.Length]))
            || (trimmed.Length > 0 && s_separators.Contains(trimmed[^1]) && path.StartsWith(trimmed, Comparison));
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Push(Stack<string> pending, string relative)
    {
        string[] parts = relative.Split(s_separators);
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }
}
