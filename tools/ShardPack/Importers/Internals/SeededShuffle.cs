namespace ShardPack.Importers.Internals;

/// <summary>
/// A Fisher-Yates shuffle driven by SplitMix64, fully specified here so that the same seed gives the same order on
/// every platform and .NET version (<see cref="Random"/>'s seeded sequence is not promised to stay the same).
/// </summary>
internal static class SeededShuffle
{
    public static void Shuffle<T>(Span<T> items, ulong seed)
    {
        ulong state = seed;
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)NextBelow(ref state, (ulong)i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    // Lemire's multiply-shift with rejection: uniform in [0, bound) without modulo bias.
    private static ulong NextBelow(ref ulong state, ulong bound)
    {
        UInt128 product = (UInt128)Next(ref state) * bound;
        if ((ulong)product < bound)
        {
            ulong threshold = (0 - bound) % bound;
            while ((ulong)product < threshold)
            {
                product = (UInt128)Next(ref state) * bound;
            }
        }

        return (ulong)(product >> 64);
    }

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
