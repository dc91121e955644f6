namespace ShardStore.Runner;

/// <summary>Facts about the file system a path lives on.</summary>
internal static class FileSystems
{
    /// <summary>Gets the bytes available to this user on the file system holding <paramref name="path"/> (or its nearest existing parent).</summary>
    public static long FreeBytes(string path) => new DriveInfo(Existing(path)).AvailableFreeSpace;

    /// <summary>Gets the file-system type (ext4, xfs, tmpfs, NTFS, ...) of <paramref name="path"/>, or "unknown".</summary>
    public static string TypeOf(string path)
    {
        try
        {
            return new DriveInfo(Existing(path)).DriveFormat;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "unknown";
        }
    }

    /// <summary>Gets whether the file system keeps its files in memory, so that reading them is never a disk read.</summary>
    public static bool IsInMemory(string path) => TypeOf(path) is "tmpfs" or "ramfs";

    /// <summary>Refuses, with a message saying what to do, when the file system lacks <paramref name="needed"/> free bytes.</summary>
    /// <exception cref="DiskSpaceException">Too little space.</exception>
    public static void Require(string path, long needed, string what)
    {
        long free = FreeBytes(path);
        if (free < needed)
        {
            throw new DiskSpaceException(
                $"{what} needs {Units.Gb(needed)} GB free in {Existing(path)}, which has {Units.Gb(free)} GB; " +
                "free some space, choose another disk with --dir, or make the dataset smaller with --size.");
        }
    }

    private static string Existing(string path)
    {
        string? p = Path.GetFullPath(path);
        while (p is not null && !Directory.Exists(p))
        {
            p = Path.GetDirectoryName(p);
        }

        return p ?? Path.GetPathRoot(Path.GetFullPath(path)) ?? path;
    }
}
