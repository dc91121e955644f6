namespace ShardPack;

/// <summary>Counts the samples written and input bytes read by an importer; the display reads it.</summary>
internal sealed class PackProgress(Action<long, long>? onAdvance = null)
{
    /// <summary>Gets the samples written so far.</summary>
    public long Samples { get; private set; }

    /// <summary>Gets the input bytes consumed so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>Records that <paramref name="samples"/> more samples were written after reading <paramref name="bytes"/> more input bytes.</summary>
    public void Advance(long samples, long bytes)
    {
        Samples += samples;
        Bytes += bytes;
        onAdvance?.Invoke(Samples, Bytes);
    }
}
