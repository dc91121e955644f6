using ShardPack;

namespace ShardStore.Runner.Cli;

/// <summary>Reads the runner's comma-separated option values (<c>--codecs lz4,zstd</c>).</summary>
internal static class OptionLists
{
    /// <summary>Splits <paramref name="value"/> at commas and parses each item, dropping repeats.</summary>
    /// <exception cref="UsageException">The list is empty, or <paramref name="parse"/> refused an item.</exception>
    public static T[] Parse<T>(string value, string option, Func<string, T> parse)
    {
        T[] items = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).Distinct()];
        return items.Length > 0 ? items : throw new UsageException($"{option} '{value}' is an empty list; give at least one item, separated by commas.");
    }
}
