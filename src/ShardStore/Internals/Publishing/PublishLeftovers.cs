using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ShardStore.Internals.Publishing;

/// <summary>
/// The hidden directories a writer keeps beside its target, named ".NAME.partial-PID-START-RANDOM" (the dataset being
/// written) and ".NAME.old-PID-START-RANDOM" (a replaced dataset set aside while the new one moves in), and the
/// recovery of those a dead writer left behind.
/// </summary>
/// <remarks>
/// The owner is part of the name, so a directory is owned from the moment it exists. A leftover belongs to a dead
/// writer when its process is gone (or its id was reused by a process that started later), or when it is this
/// process's and no writer here holds it any more. Leftovers of live writers and names of other shapes are never
/// touched.
/// </remarks>
internal static class PublishLeftovers
{
    public const string PartialTag = "partial";
    public const string OldTag = "old";

    private static readonly ConcurrentDictionary<string, byte> s_held = new(StringComparer.Ordinal);

    /// <summary>Returns a new leftover path beside <paramref name="target"/>, owned by this process and held until <see cref="Release"/>.</summary>
    public static string Claim(string target, string tag)
    {
        string path = Path.Combine(ParentOf(target), $".{Path.GetFileName(target)}.{tag}-{WriterOwner.Current}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
        s_held[path] = 0;
        return path;
    }

    /// <summary>Marks a path of this process as no longer held by any writer, so the next recovery may clean it.</summary>
    public static void Release(string path) => s_held.TryRemove(path, out _);

    /// <summary>Restores a missing target from a dead writer's set-aside dataset, then deletes what dead writers left; best effort.</summary>
    /// <returns>Whether the target was restored.</returns>
    public static bool Recover(IWriterFileSystem fs, string target)
    {
        List<(string Path, bool IsOld)> dead = FindDead(target);
        bool restored = TryRestore(fs, target, dead);
        foreach ((string path, _) in dead)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    ExistingDataset.DeleteWriterFiles(fs, path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next writer; a leftover never stands at the target.
            }
        }

        return restored;
    }

    /// <summary>Restores a missing target from a dead writer's set-aside dataset, touching nothing else.</summary>
    public static bool RestoreMissingTarget(IWriterFileSystem fs, string target) => TryRestore(fs, target, FindDead(target));

    private static bool TryRestore(IWriterFileSystem fs, string target, List<(string Path, bool IsOld)> dead)
    {
        if (Directory.Exists(target) || File.Exists(target))
        {
            return false;
        }

        foreach ((string path, bool isOld) in dead)
        {
            // A set-aside directory holds the complete old dataset: it was published before it was moved.
            if (!isOld || ExistingDataset.TryReadManifest(path) is null)
            {
                continue;
            }

            try
            {
                fs.MoveDirectory(path, target);
                fs.FlushDirectory(ParentOf(target));
                dead.Remove((path, isOld));
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        return false;
    }

    private static List<(string Path, bool IsOld)> FindDead(string target)
    {
        var dead = new List<(string, bool)>();
        string parent = ParentOf(target);
        if (!Directory.Exists(parent))
        {
            return dead;
        }

        string prefix = $".{Path.GetFileName(target)}.";
        IEnumerable<string> candidates;
        try
        {
            candidates = [.. Directory.EnumerateDirectories(parent, prefix + "*")];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return dead;
        }

        foreach (string path in candidates)
        {
            string rest = Path.GetFileName(path)[prefix.Length..];
            bool isOld = rest.StartsWith(OldTag + "-", StringComparison.Ordinal);
            if (!isOld && !rest.StartsWith(PartialTag + "-", StringComparison.Ordinal))
            {
                continue;
            }

            ReadOnlySpan<char> owned = rest.AsSpan((isOld ? OldTag : PartialTag).Length + 1);
            int lastDash = owned.LastIndexOf('-');
            if (lastDash <= 0 || !WriterOwner.TryParse(owned[..lastDash], out WriterOwner owner) || IsHeld(path, owner))
            {
                continue;
            }

            dead.Add((path, isOld));
        }

        // The newest set-aside dataset is the one to restore.
        dead.Sort((a, b) => Directory.GetLastWriteTimeUtc(b.Item1).CompareTo(Directory.GetLastWriteTimeUtc(a.Item1)));
        return dead;
    }

    private static bool IsHeld(string path, WriterOwner owner) =>
        owner == WriterOwner.Current ? s_held.ContainsKey(path) : owner.IsProcessAlive();

    private static string ParentOf(string target) =>
        Path.GetDirectoryName(target) ?? throw new IOException($"'{target}' has no parent directory.");
}
