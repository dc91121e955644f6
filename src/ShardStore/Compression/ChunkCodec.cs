namespace ShardStore.Compression;

/// <summary>Encodes and decodes the stored bytes of one chunk.</summary>
/// <remarks>
/// Implementations are stateless from the caller's point of view and safe to call from many
/// threads at once. Decoding writes straight into the caller's buffer and never allocates it.
/// </remarks>
public abstract class ChunkCodec
{
    /// <summary>Gets the codec identifier written into each chunk-table entry.</summary>
    public abstract CodecKind Kind { get; }

    /// <summary>Gets the compression level used when the caller does not choose one.</summary>
    public abstract int DefaultLevel { get; }

    /// <summary>Gets the lowest accepted compression level.</summary>
    public abstract int MinLevel { get; }

    /// <summary>Gets the highest accepted compression level.</summary>
    public abstract int MaxLevel { get; }

    /// <summary>Returns the largest number of bytes <see cref="TryEncode"/> can write for a source of the given length.</summary>
    /// <param name="sourceLength">Length of the raw input in bytes.</param>
    public abstract int GetMaxEncodedLength(int sourceLength);

    /// <summary>
    /// Returns an upper bound on the decoded size of <paramref name="encodedLength"/> encoded bytes, from the
    /// format's maximum expansion ratio. Readers refuse chunks that declare more, before allocating anything.
    /// </summary>
    /// <param name="encodedLength">Length of the encoded input in bytes.</param>
    public abstract long GetMaxDecodedLength(long encodedLength);

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <param name="source">Raw bytes.</param>
    /// <param name="destination">Output buffer; <see cref="GetMaxEncodedLength"/> bytes always suffice.</param>
    /// <param name="level">Compression level between <see cref="MinLevel"/> and <see cref="MaxLevel"/>.</param>
    /// <param name="bytesWritten">Number of bytes written to <paramref name="destination"/>.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is outside the codec's range.</exception>
    public abstract bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int bytesWritten);

    /// <summary>Decompresses <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <param name="source">Encoded bytes.</param>
    /// <param name="destination">Output buffer, normally exactly the chunk's declared raw size.</param>
    /// <param name="bytesWritten">Number of bytes written to <paramref name="destination"/>.</param>
    /// <returns>
    /// <see langword="false"/> when <paramref name="source"/> is malformed or decodes to more than
    /// <paramref name="destination"/> holds; nothing outside <paramref name="destination"/> is written either way.
    /// </returns>
    public abstract bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten);
}
