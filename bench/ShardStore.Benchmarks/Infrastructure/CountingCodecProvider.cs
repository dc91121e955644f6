using System.Diagnostics.CodeAnalysis;
using ShardStore.Compression;

namespace ShardStore.Benchmarks.Infrastructure;

/// <summary>Wraps a provider so that every decode is counted; used only to check a benchmark's setup, never in a measured path.</summary>
internal sealed class CountingCodecProvider(IChunkCodecProvider inner) : IChunkCodecProvider
{
    private readonly Dictionary<CodecKind, CountingCodec> _codecs = [];

    /// <summary>Gets the number of <see cref="ChunkCodec.TryDecode"/> calls made through this provider.</summary>
    public long Decodes => _codecs.Values.Sum(c => c.Decodes);

    public bool TryGetCodec(CodecKind kind, [NotNullWhen(true)] out ChunkCodec? codec)
    {
        lock (_codecs)
        {
            if (!_codecs.TryGetValue(kind, out CountingCodec? counting))
            {
                if (!inner.TryGetCodec(kind, out ChunkCodec? real))
                {
                    codec = null;
                    return false;
                }

                counting = new CountingCodec(real);
                _codecs.Add(kind, counting);
            }

            codec = counting;
            return true;
        }
    }
}
