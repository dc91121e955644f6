namespace ShardPack.Internals;

/// <summary>Resolves a path the way the file system will: every symbolic link followed, <c>..</c> taken after links (as POSIX <c>realpath</c>); parts that do not exist yet are kept as written.</summary>
internal static class RealPath
{
    // The limit Linux puts on links followed while resolving one path (ELOOP beyond it).
    private const int MaxLinks = 40;

    private static readonly char[] s_separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <summary>Returns the real, absolute form of <paramref name="path"/>, relative paths taken from <paramref name="workingDirectory"/>.</summary>
    /// <exception cref="IOException">Too many symbolic links (a loop).</exception>
    public static string Resolve(string path, string workingDirectory)
    {
        string absolute = Path.IsPathRooted(path) ? path : Path.Join(Resolve(Path.GetFullPath(workingDirectory)), path);
        string current = Path.GetPathRoot(absolute)!;
        var pending = new Stack<string>(absolute[current.Length..].Split(s_separators).Reverse());
        int links = 0;
        while (pending.TryPop(out string? part))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string next = Path.Join(current, part);
            string? target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"'{path}' has too many levels of symbolic links.");
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }

            foreach (string t in target.Split(s_separators).Reverse())
            {
                pending.Push(t);
            }
        }

        return current;
    }

    /// <summary>Returns the real, absolute form of <paramref name="path"/>, a relative path taken from the current directory.</summary>
    public static string Resolve(string path) => Resolve(path, Environment.CurrentDirectory);

    /// <summary>Gets whether real path <paramref name="candidate"/> is <paramref name="folder"/> or lies inside it.</summary>
    public static bool IsSameOrInside(string candidate, string folder)
    {
        // Linux file systems are case-sensitive; the defaults of Windows and macOS are not.
        StringComparison comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        string prefix = folder.TrimEnd(s_separators);
        return candidate.TrimEnd(s_separators).Equals(prefix, comparison)
            || candidate.StartsWith(prefix + Path.DirectorySeparatorChar, comparison);
    }
}
