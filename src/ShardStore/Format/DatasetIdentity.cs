using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ShardStore.Format;

/// <summary>
/// The random 128-bit identity a writer gives each dataset it publishes, stored in the manifest and in every shard
/// header so that files of two packs cannot be mixed unnoticed. Zero means none (datasets written before identities).
/// </summary>
internal readonly record struct DatasetIdentity(UInt128 Value)
{
    public const int Size = 16;

    public bool IsNone => Value == UInt128.Zero;

    /// <summary>Returns a new random identity, never zero.</summary>
    public static DatasetIdentity NewRandom()
    {
        Span<byte> bytes = stackalloc byte[Size];
        UInt128 value;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        }
        while (value == UInt128.Zero);

        return new DatasetIdentity(value);
    }

    /// <summary>Parses 32 lower-case hex digits, not all zero.</summary>
    public static bool TryParse(string? text, out DatasetIdentity identity)
    {
        identity = default;
        if (text is not { Length: Size * 2 } || !text.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        identity = new DatasetIdentity(BinaryPrimitives.ReadUInt128BigEndian(Convert.FromHexString(text)));
        return !identity.IsNone;
    }

    /// <summary>Writes the 16 bytes in the order of the hex digits (big-endian), so a hex dump reads like the string.</summary>
    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    public static DatasetIdentity Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt128BigEndian(source));

    /// <summary>Returns 32 lower-case hex digits, or "none".</summary>
    public override string ToString()
    {
        if (IsNone)
        {
            return "none";
        }

        Span<byte> bytes = stackalloc byte[Size];
        Write(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
