using System.Diagnostics.CodeAnalysis;

namespace ShardStore.Compression;

/// <summary>The names of codecs in manifests and on the command line: none, lz4, lz4hc, zstd.</summary>
public static class CodecNames
{
    /// <summary>Returns the lower-case name of <paramref name="kind"/>.</summary>
    /// <param name="kind">The codec.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined.</exception>
    public static string GetName(CodecKind kind) => kind switch
    {
        CodecKind.None => "none",
        CodecKind.Lz4 => "lz4",
        CodecKind.Lz4HC => "lz4hc",
        CodecKind.Zstd => "zstd",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown codec."),
    };

    /// <summary>Parses a codec name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="kind">The codec.</param>
    /// <returns><see langword="true"/> when <paramref name="name"/> names a codec.</returns>
    public static bool TryParse([NotNullWhen(true)] string? name, out CodecKind kind)
    {
        foreach (CodecKind k in (ReadOnlySpan<CodecKind>)[CodecKind.None, CodecKind.Lz4, CodecKind.Lz4HC, CodecKind.Zstd])
        {
            if (string.Equals(GetName(k), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
