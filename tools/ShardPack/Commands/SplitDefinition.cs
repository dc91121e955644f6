using System.Globalization;

namespace ShardPack.Commands;

/// <summary>
/// The splits that <c>--splits NAME=SHARE,...</c>, <c>--split-by range|hash</c> and <c>--split-key K</c> define, for
/// <c>order --split NAME</c> and the <c>--mix DIR@SPLIT=WEIGHT</c> streams: the same partition of every dataset.
/// </summary>
internal sealed class SplitDefinition
{
    private SplitDefinition(SplitMethod method, List<string> names, List<double> shares, ulong key)
    {
        Method = method;
        Names = names;
        Shares = shares;
        Key = key;
    }

    /// <summary>Gets how the splits choose their samples.</summary>
    public SplitMethod Method { get; }

    /// <summary>Gets the splits' names, in the order of <c>--splits</c>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Gets the splits' shares.</summary>
    public IReadOnlyList<double> Shares { get; }

    /// <summary>Gets the hash key.</summary>
    public ulong Key { get; }

    /// <summary>Reads the three options' values.</summary>
    /// <exception cref="UsageException">A value is wrong; the message names the option.</exception>
    public static SplitDefinition Parse(string splits, string by, ulong key)
    {
        SplitMethod method = by.ToLowerInvariant() switch
        {
            "range" => SplitMethod.Range,
            "hash" => SplitMethod.Hash,
            _ => throw new UsageException($"--split-by '{by}': use range or hash."),
        };
        var names = new List<string>();
        var shares = new List<double>();
        foreach (string part in splits.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.LastIndexOf('=');
            if (eq <= 0 || !double.TryParse(part.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double share) || !double.IsFinite(share) || share <= 0)
            {
                throw new UsageException($"--splits '{part}': use NAME=SHARE with a positive share, e.g. --splits train=0.9,validation=0.1.");
            }

            names.Add(part[..eq]);
            shares.Add(share);
        }

        return new SplitDefinition(method, names, shares, key);
    }

    /// <summary>Returns the place of split <paramref name="name"/> in <see cref="Names"/>.</summary>
    /// <param name="name">The split's name.</param>
    /// <param name="asked">What asked for it, for the message (<c>--split 'dev'</c>).</param>
    /// <exception cref="UsageException">No split has that name.</exception>
    public int IndexOf(string name, string asked)
    {
        int index = Names.ToList().IndexOf(name);
        return index >= 0 ? index : throw new UsageException($"{asked}: '{name}' is not one of the splits {string.Join(", ", Names)} (--splits).");
    }

    /// <summary>Splits <paramref name="dataset"/> as defined and returns split <paramref name="index"/>.</summary>
    /// <exception cref="UsageException">The definition does not make a partition (names repeat).</exception>
    public DatasetSplit Apply(ShardDataset dataset, int index)
    {
        try
        {
            return DatasetSplit.Partition(dataset, Method, Names, Shares, Key)[index];
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
