namespace ShardStore.Format;

/// <summary>Byte-level constants of shard format v1; docs/FORMAT.md is the specification.</summary>
internal static class FormatConstants
{
    public const ushort Version = 1;
    public const int HeaderSize = 64;
    public const int ChunkAlignment = 4096;
    public const int ChunkEntrySize = 48;
    public const int FooterSize = 32;
    public const int SectionAlignment = 64;
    public const int FirstChunkOffset = ChunkAlignment;
    public const int TableAlignment = 64;

    /// <summary>Where the dataset identity (16 bytes) and its CRC32C (4 bytes) lie, in the header page after the 64-byte header.</summary>
    public const int IdentityOffset = HeaderSize;

    /// <summary>Bytes a reader reads from offset 0: the header and the identity after it.</summary>
    public const int HeaderReadSize = IdentityOffset + DatasetIdentity.Size + 4;

    /// <summary>Smallest valid shard: header page plus footer (a shard with no chunks).</summary>
    public const long MinShardLength = FirstChunkOffset + FooterSize;

    public const string ManifestFileName = "manifest.json";
    public const string FormatName = "shardstore";

    /// <summary>The directory of a dataset that keeps the manifests of its older generations, one file each.</summary>
    public const string GenerationsDirectoryName = "generations";

    /// <summary>"\x89SHRD\r\n\x1A": the high byte and CR/LF catch 7-bit and text-mode transfers, like PNG's magic.</summary>
    public static ReadOnlySpan<byte> HeaderMagic => [0x89, (byte)'S', (byte)'H', (byte)'R', (byte)'D', 0x0D, 0x0A, 0x1A];

    /// <summary>"SHRDEND\x1A", the last eight bytes of every complete shard.</summary>
    public static ReadOnlySpan<byte> FooterMagic => [(byte)'S', (byte)'H', (byte)'R', (byte)'D', (byte)'E', (byte)'N', (byte)'D', 0x1A];

    /// <summary>Returns the file name, inside <see cref="GenerationsDirectoryName"/>, of generation <paramref name="generation"/>'s manifest.</summary>
    public static string GenerationFileName(int generation) => $"{generation}.json";

    public static string ShardFileName(int index) => $"shard-{index:D5}.shard";

    /// <summary>The name of a shard written to object storage: with the dataset's identity, so a new dataset never overwrites an object of the one it replaces.</summary>
    public static string ShardFileName(int index, DatasetIdentity identity) => $"shard-{index:D5}-{identity}.shard";

    public static long AlignUp(long value, int alignment) => (value + alignment - 1) & ~(long)(alignment - 1);
}
