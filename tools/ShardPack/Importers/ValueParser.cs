using System.Buffers.Binary;
using System.Globalization;

namespace ShardPack.Importers;

/// <summary>The outcome of <see cref="ValueParser.TryParse"/>.</summary>
internal enum ParseStatus
{
    /// <summary>The value was written.</summary>
    Ok,

    /// <summary>The text was empty or blank.</summary>
    Empty,

    /// <summary>The text is not a number of the dtype's kind.</summary>
    NotANumber,

    /// <summary>The number does not fit the dtype (an integer out of range, a float that overflows to infinity).</summary>
    OutOfRange,
}

/// <summary>Parses the text of one value (a CSV cell) into the little-endian bytes of any dtype.</summary>
/// <remarks>
/// Integers accept an optional sign, <c>true</c>/<c>false</c> (as 1/0), and integral numbers written as floats
/// (<c>3.0</c>, <c>1e3</c>) as spreadsheets and pandas emit them. Floats accept the invariant culture's forms,
/// including <c>NaN</c> and <c>Infinity</c>. f16 rounds directly from the text; bf16 rounds the parsed f32 to
/// its upper 16 bits, to nearest even.
/// </remarks>
internal static class ValueParser
{
    /// <summary>Parses <paramref name="text"/> as <paramref name="dtype"/> into the first item-size bytes of <paramref name="destination"/>.</summary>
    public static ParseStatus TryParse(ReadOnlySpan<char> text, DType dtype, Span<byte> destination)
    {
        text = text.Trim();
        if (text.IsEmpty)
        {
            return ParseStatus.Empty;
        }

        switch (dtype)
        {
            case DType.U8:
            case DType.U16:
            case DType.U32:
            case DType.U64:
                return TryParseUnsigned(text, dtype, destination);
            case DType.I8:
            case DType.I16:
            case DType.I32:
            case DType.I64:
                return TryParseSigned(text, dtype, destination);
            case DType.F16:
                return TryParseHalf(text, destination);
            case DType.BF16:
                return TryParseBFloat16(text, destination);
            case DType.F32:
                return TryParseSingle(text, destination);
            case DType.F64:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                {
                    return ParseStatus.NotANumber;
                }

                BinaryPrimitives.WriteDoubleLittleEndian(destination, d);
                return ParseStatus.Ok;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype.");
        }
    }

    /// <summary>Returns a short phrase for a failed status, e.g. "out of range for i8".</summary>
    public static string Describe(ParseStatus status, DType dtype) => status switch
    {
        ParseStatus.Empty => $"is empty; a {DTypeInfo.GetName(dtype)} value is needed",
        ParseStatus.NotANumber => $"is not a{(IsInteger(dtype) ? "n integer" : " number")} ({DTypeInfo.GetName(dtype)})",
        ParseStatus.OutOfRange => $"is out of range for {DTypeInfo.GetName(dtype)}{RangeText(dtype)}",
        _ => "is valid",
    };

    /// <summary>Converts an f32 to bf16 bits, rounding to nearest even; NaN stays a (quiet) NaN.</summary>
    public static ushort ToBFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        uint rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + rounding) >> 16);
    }

    private static bool IsInteger(DType dtype) => dtype is DType.U8 or DType.I8 or DType.U16 or DType.I16 or DType.U32 or DType.I32 or DType.U64 or DType.I64;

    private static string RangeText(DType dtype) => dtype switch
    {
        DType.U8 => " (0 to 255)",
        DType.I8 => " (-128 to 127)",
        DType.U16 => " (0 to 65535)",
        DType.I16 => " (-32768 to 32767)",
        DType.U32 => " (0 to 4294967295)",
        DType.I32 => " (-2147483648 to 2147483647)",
        DType.U64 => " (0 to 18446744073709551615)",
        DType.I64 => " (-9223372036854775808 to 9223372036854775807)",
        DType.F16 => " (largest finite 65504)",
        DType.BF16 or DType.F32 => " (largest finite 3.4e38)",
        _ => string.Empty,
    };

    private static ParseStatus TryParseUnsigned(ReadOnlySpan<char> text, DType dtype, Span<byte> destination)
    {
        ulong max = dtype switch { DType.U8 => byte.MaxValue, DType.U16 => ushort.MaxValue, DType.U32 => uint.MaxValue, _ => ulong.MaxValue };
        ulong value;
        if (ulong.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ulong parsed))
        {
            value = parsed;
        }
        else
        {
            ParseStatus status = TryParseIntegralFallback(text, out Int128 wide);
            if (status != ParseStatus.Ok)
            {
                return status;
            }

            if (wide < 0 || wide > max)
            {
                return ParseStatus.OutOfRange;
            }

            value = (ulong)wide;
        }

        if (value > max)
        {
            return ParseStatus.OutOfRange;
        }

        switch (dtype)
        {
            case DType.U8: destination[0] = (byte)value; break;
            case DType.U16: BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)value); break;
            case DType.U32: BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(destination, value); break;
        }

        return ParseStatus.Ok;
    }

    private static ParseStatus TryParseSigned(ReadOnlySpan<char> text, DType dtype, Span<byte> destination)
    {
        (long min, long max) = dtype switch
        {
            DType.I8 => (sbyte.MinValue, sbyte.MaxValue),
            DType.I16 => (short.MinValue, short.MaxValue),
            DType.I32 => (int.MinValue, int.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        long value;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed))
        {
            value = parsed;
        }
        else
        {
            ParseStatus status = TryParseIntegralFallback(text, out Int128 wide);
            if (status != ParseStatus.Ok)
            {
                return status;
            }

            if (wide < min || wide > max)
            {
                return ParseStatus.OutOfRange;
            }

            value = (long)wide;
        }

        if (value < min || value > max)
        {
            return ParseStatus.OutOfRange;
        }

        switch (dtype)
        {
            case DType.I8: destination[0] = (byte)(sbyte)value; break;
            case DType.I16: BinaryPrimitives.WriteInt16LittleEndian(destination, (short)value); break;
            case DType.I32: BinaryPrimitives.WriteInt32LittleEndian(destination, (int)value); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(destination, value); break;
        }

        return ParseStatus.Ok;
    }

    // Off the fast path: digits too long for 64 bits, true/false, or an integral value written as a float.
    private static ParseStatus TryParseIntegralFallback(ReadOnlySpan<char> text, out Int128 value)
    {
        value = 0;
        if (Int128.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return ParseStatus.Ok;
        }

        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            value = 1;
            return ParseStatus.Ok;
        }

        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            value = 0;
            return ParseStatus.Ok;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || double.IsNaN(d) || Math.Floor(d) != d)
        {
            return ParseStatus.NotANumber;
        }

        if (double.IsInfinity(d) || Math.Abs(d) >= 1.8e19)
        {
            return ParseStatus.OutOfRange;
        }

        value = (Int128)d;
        return ParseStatus.Ok;
    }

    private static ParseStatus TryParseHalf(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (!Half.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out Half h))
        {
            return ParseStatus.NotANumber;
        }

        if (Half.IsInfinity(h) && !IsInfinityText(text))
        {
            return ParseStatus.OutOfRange;
        }

        BinaryPrimitives.WriteHalfLittleEndian(destination, h);
        return ParseStatus.Ok;
    }

    private static ParseStatus TryParseBFloat16(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float f))
        {
            return ParseStatus.NotANumber;
        }

        ushort bits = ToBFloat16Bits(f);
        if ((bits & 0x7FFF) == 0x7F80 && !IsInfinityText(text))
        {
            return ParseStatus.OutOfRange;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination, bits);
        return ParseStatus.Ok;
    }

    private static ParseStatus TryParseSingle(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float f))
        {
            return ParseStatus.NotANumber;
        }

        if (float.IsInfinity(f) && !IsInfinityText(text))
        {
            return ParseStatus.OutOfRange;
        }

        BinaryPrimitives.WriteSingleLittleEndian(destination, f);
        return ParseStatus.Ok;
    }

    // A finite number that overflows is out of range; an explicit infinity is kept.
    private static bool IsInfinityText(ReadOnlySpan<char> text)
    {
        ReadOnlySpan<char> t = text.TrimStart("+-");
        return t.Equals("Infinity", StringComparison.OrdinalIgnoreCase) || t.Equals("∞", StringComparison.Ordinal) || t.Equals("inf", StringComparison.OrdinalIgnoreCase);
    }
}
