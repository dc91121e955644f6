namespace ShardStore.Internals.Ordering;

/// <summary>Deterministic key derivation for sample orders: the same inputs give the same keys on every machine.</summary>
internal static class OrderHash
{
    /// <summary>Mixes two values into one well-distributed 64-bit key (SplitMix64 finaliser over their combination).</summary>
    public static ulong Mix(ulong a, ulong b)
    {
        ulong z = a + (b * 0x9E3779B97F4A7C15) + 0x632BE59BD9B4E019;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    public static ulong Mix(ulong a, ulong b, ulong c) => Mix(Mix(a, b), c);

    public static ulong Mix(ulong a, ulong b, ulong c, ulong d) => Mix(Mix(Mix(a, b), c), d);
}
