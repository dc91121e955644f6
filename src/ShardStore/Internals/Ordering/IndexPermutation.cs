namespace ShardStore.Internals.Ordering;

/// <summary>
/// A keyed pseudo-random bijection on [0, n) computed per index in O(1) time and memory, so a shuffle of
/// billions of samples needs no permutation array.
/// </summary>
/// <remarks>
/// Each round is invertible on [0, 2^bits): xor with a key, multiply by an odd constant, xor-shift right.
/// Cycle walking (re-applying until the value falls below n) restricts the bijection on the power-of-two
/// domain to [0, n); the domain is less than 2n, so fewer than two applications are needed on average.
/// </remarks>
internal readonly struct IndexPermutation
{
    private const int Rounds = 4;
    private readonly ulong _n;
    private readonly ulong _mask;
    private readonly int _shift;
    private readonly ulong _k0;
    private readonly ulong _k1;
    private readonly ulong _k2;
    private readonly ulong _k3;

    public IndexPermutation(long n, ulong key)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        _n = (ulong)n;
        int bits = n <= 2 ? 1 : 64 - (int)ulong.LeadingZeroCount((ulong)n - 1);
        _mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        _shift = Math.Max(1, (bits + 1) / 2);
        _k0 = OrderHash.Mix(key, 0x243F6A8885A308D3);
        _k1 = OrderHash.Mix(key, 0x13198A2E03707344);
        _k2 = OrderHash.Mix(key, 0xA4093822299F31D0);
        _k3 = OrderHash.Mix(key, 0x082EFA98EC4E6C89);
    }

    public long Count => (long)_n;

    public long Apply(long index)
    {
        ulong x = (ulong)index;
        do
        {
            x = Round(x, _k0, 0x9E3779B97F4A7C15);
            x = Round(x, _k1, 0xBF58476D1CE4E5B9);
            x = Round(x, _k2, 0x94D049BB133111EB);
            x = Round(x, _k3, 0xD6E8FEB86659FD93);
        }
        while (x >= _n);

        return (long)x;
    }

    private ulong Round(ulong x, ulong key, ulong multiplier)
    {
        x = ((x ^ key) * multiplier) & _mask;
        return x ^ (x >> _shift);
    }
}
