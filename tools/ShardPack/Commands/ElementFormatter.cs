using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace ShardPack.Commands;

/// <summary>Formats little-endian elements of any dtype as text or JSON numbers.</summary>
internal static class ElementFormatter
{
    /// <summary>Returns element <paramref name="index"/> of <paramref name="bytes"/> as invariant text (floats round-trip).</summary>
    public static string Format(DType dtype, ReadOnlySpan<byte> bytes, int index)
    {
        int size = DTypeInfo.GetItemSize(dtype);
        ReadOnlySpan<byte> e = bytes.Slice(index * size, size);
        return dtype switch
        {
            DType.U8 => e[0].ToString(CultureInfo.InvariantCulture),
            DType.I8 => ((sbyte)e[0]).ToString(CultureInfo.InvariantCulture),
            DType.U16 => BinaryPrimitives.ReadUInt16LittleEndian(e).ToString(CultureInfo.InvariantCulture),
            DType.I16 => BinaryPrimitives.ReadInt16LittleEndian(e).ToString(CultureInfo.InvariantCulture),
            DType.U32 => BinaryPrimitives.ReadUInt32LittleEndian(e).ToString(CultureInfo.InvariantCulture),
            DType.I32 => BinaryPrimitives.ReadInt32LittleEndian(e).ToString(CultureInfo.InvariantCulture),
            DType.U64 => BinaryPrimitives.ReadUInt64LittleEndian(e).ToString(CultureInfo.InvariantCulture),
            DType.I64 => BinaryPrimitives.ReadInt64LittleEndian(e).ToString(CultureInfo.InvariantCulture),
            DType.F16 => BinaryPrimitives.ReadHalfLittleEndian(e).ToString("R", CultureInfo.InvariantCulture),
            DType.BF16 => BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e)).ToString("R", CultureInfo.InvariantCulture),
            DType.F32 => BinaryPrimitives.ReadSingleLittleEndian(e).ToString("R", CultureInfo.InvariantCulture),
            DType.F64 => BinaryPrimitives.ReadDoubleLittleEndian(e).ToString("R", CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
    }

    /// <summary>Writes element <paramref name="index"/> as a JSON number; NaN and infinities, which JSON lacks, as strings.</summary>
    public static void WriteJson(Utf8JsonWriter writer, DType dtype, ReadOnlySpan<byte> bytes, int index)
    {
        string text = Format(dtype, bytes, index);
        if (dtype is DType.F16 or DType.BF16 or DType.F32 or DType.F64 && !double.IsFinite(double.Parse(text, CultureInfo.InvariantCulture)))
        {
            writer.WriteStringValue(text);
        }
        else
        {
            writer.WriteRawValue(text, skipInputValidation: true);
        }
    }

    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);
}
