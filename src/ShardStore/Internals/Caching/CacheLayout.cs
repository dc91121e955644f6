using System.Globalization;

namespace ShardStore.Internals.Caching;

/// <summary>Names in a cache directory: <c>cache.lock</c>, <c>cache.state</c>, <c>&lt;key&gt;/&lt;shard&gt;/&lt;chunk&gt;</c> and temporary <c>&lt;chunk&gt;.&lt;size&gt;.&lt;token&gt;.tmp</c> beside the entry.</summary>
/// <remarks>Dataset keys are <c>[0-9a-z-]</c> and numbers are canonical decimal, so no entry name can be taken for the lock, the state or a temporary file.</remarks>
internal static class CacheLayout
{
    public const string LockFileName = "cache.lock";
    public const string StateFileName = "cache.state";
    public const int MaxKeyLength = 200;
    private const string TempSuffix = ".tmp";

    public static bool IsValidKey(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
        {
            return false;
        }

        foreach (char c in key)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'z') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static string ShardDirectory(string root, string key, int shard) =>
        Path.Combine(root, key, shard.ToString(CultureInfo.InvariantCulture));

    public static string EntryPath(string root, CacheEntryName name) =>
        Path.Combine(ShardDirectory(root, name.DatasetKey, name.Shard), name.Chunk.ToString(CultureInfo.InvariantCulture));

    public static string TempPath(string root, CacheEntryName name, long size, ulong token) =>
        Path.Combine(ShardDirectory(root, name.DatasetKey, name.Shard), TempFileName(name.Chunk, size, token));

    public static string TempFileName(int chunk, long size, ulong token) =>
        string.Create(CultureInfo.InvariantCulture, $"{chunk}.{size}.{token:x16}{TempSuffix}");

    /// <summary>Parses a canonical non-negative decimal (a shard directory or an entry file); "007" or "+7" are not names this cache writes.</summary>
    public static bool TryParseNumber(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
        && string.Equals(text, value.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public static bool TryParseTempFileName(string fileName, out int chunk, out long size, out ulong token)
    {
        chunk = 0;
        size = 0;
        token = 0;
        if (!fileName.EndsWith(TempSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = fileName[..^TempSuffix.Length].Split('.');
        return parts.Length == 3
            && TryParseNumber(parts[0], out chunk)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out size)
            && parts[2].Length == 16
            && ulong.TryParse(parts[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out token);
    }
}
