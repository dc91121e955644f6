namespace ShardStore.Images.Operations.Internals;

/// <summary>Conversion of f32 to bfloat16 bits: the top 16 bits of the f32, rounded to nearest, ties to even.</summary>
internal static class BFloat16Bits
{
    /// <summary>Returns the bfloat16 nearest <paramref name="value"/> (ties to even); NaN stays a quiet NaN.</summary>
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }
}
