using CommunityToolkit.HighPerformance.Buffers;
using ShardStore.Compression;
using ShardStore.Internals.Integrity;

namespace ShardStore.Internals.Writing;

/// <summary>A chunk after compression and checksumming, waiting to be appended to its shard in order.</summary>
internal sealed class EncodedChunk(MemoryOwner<byte> buffer, int storedLength, int rawLength, int sampleCount, CodecKind codec, uint crc) : IDisposable
{
    public ReadOnlySpan<byte> Stored => buffer.Span[..storedLength];

    public int RawLength => rawLength;

    public int SampleCount => sampleCount;

    public CodecKind Codec => codec;

    public uint Crc => crc;

    public void Dispose() => buffer.Dispose();

    /// <summary>Encodes <paramref name="raw"/> (taking ownership); falls back to storing it as-is when compression does not shrink it.</summary>
    public static EncodedChunk Encode(MemoryOwner<byte> raw, int sampleCount, ChunkCodec? codec, int level)
    {
        int rawLength = raw.Length;
        if (codec is not null)
        {
            MemoryOwner<byte> output = MemoryOwner<byte>.Allocate(codec.GetMaxEncodedLength(rawLength));
            try
            {
                if (codec.TryEncode(raw.Span, output.Span, level, out int written) && written < rawLength)
                {
                    raw.Dispose();
                    return new EncodedChunk(output, written, rawLength, sampleCount, codec.Kind, Crc32C.Compute(output.Span[..written]));
                }
            }
            catch
            {
                output.Dispose();
                raw.Dispose();
                throw;
            }

            output.Dispose();
        }

        return new EncodedChunk(raw, rawLength, rawLength, sampleCount, CodecKind.None, Crc32C.Compute(raw.Span));
    }
}
