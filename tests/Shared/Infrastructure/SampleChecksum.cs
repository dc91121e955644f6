namespace ShardStore.Testing.Infrastructure;

/// <summary>FNV-1a over the (epoch, sample index) pairs a loader delivered, in order: equal for two runs that delivered the same samples in the same order (a loader in a child process and one in the test).</summary>
internal static class SampleChecksum
{
    public const ulong Start = 14695981039346656037;

    public static ulong Add(ulong hash, int epoch, long sample)
    {
        hash = Mix(hash, (ulong)epoch);
        return Mix(hash, (ulong)sample);
    }

    private static ulong Mix(ulong hash, ulong value)
    {
        for (int i = 0; i < 8; i++)
        {
            hash = (hash ^ ((value >> (8 * i)) & 0xff)) * 1099511628211;
        }

        return hash;
    }
}
