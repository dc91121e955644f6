using ShardStore.Internals.Ordering;

namespace ShardStore.Transforms;

/// <summary>
/// The random numbers of one transform for one sample: a generator keyed by the loader's seed, the epoch, the sample's
/// global index and the transform's position in the pipeline, so the same sample gets the same random choices in the
/// same epoch whatever the worker count, world size or resume point. A value type on the stack: drawing allocates
/// nothing. Not cryptographic.
/// </summary>
public struct TransformRandom
{
    private const ulong Tag = 0x5452414E53464F52; // "TRANSFOR"
    private ulong _state;

    /// <summary>Creates the generator of transform <paramref name="position"/> for global sample <paramref name="sampleIndex"/> in <paramref name="epoch"/>.</summary>
    public TransformRandom(ulong seed, int epoch, long sampleIndex, int position)
    {
        _state = OrderHash.Mix(OrderHash.Mix(seed, Tag), (ulong)(uint)epoch, (ulong)sampleIndex, (ulong)(uint)position);
    }

    /// <summary>Returns 64 random bits (SplitMix64 over the keyed state).</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>Returns a double in [0, 1), with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Returns a double in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double NextDouble(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Returns an integer in [0, <paramref name="maxExclusive"/>), without bias.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int NextInt32(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);

        // Lemire's multiply-and-reject.
        ulong range = (ulong)maxExclusive;
        ulong product = (ulong)(uint)NextUInt64() * range;
        if ((uint)product < range)
        {
            ulong threshold = (0x1_0000_0000UL - range) % range;
            while ((uint)product < threshold)
            {
                product = (ulong)(uint)NextUInt64() * range;
            }
        }

        return (int)(product >> 32);
    }

    /// <summary>Returns true with probability <paramref name="probability"/>.</summary>
    public bool NextBoolean(double probability = 0.5) => NextDouble() < probability;
}
