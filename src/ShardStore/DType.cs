namespace ShardStore;

/// <summary>The element type of a field; the numeric value is written to disk.</summary>
public enum DType : byte
{
    /// <summary>Unsigned 8-bit integer (also the element type of byte fields).</summary>
    U8 = 1,

    /// <summary>Signed 8-bit integer.</summary>
    I8 = 2,

    /// <summary>Unsigned 16-bit integer.</summary>
    U16 = 3,

    /// <summary>Signed 16-bit integer.</summary>
    I16 = 4,

    /// <summary>Unsigned 32-bit integer.</summary>
    U32 = 5,

    /// <summary>Signed 32-bit integer.</summary>
    I32 = 6,

    /// <summary>Unsigned 64-bit integer.</summary>
    U64 = 7,

    /// <summary>Signed 64-bit integer.</summary>
    I64 = 8,

    /// <summary>IEEE 754 half precision; read it as <see cref="Half"/> or <see cref="ushort"/>.</summary>
    F16 = 9,

    /// <summary>bfloat16 (the upper half of an f32); read it as <see cref="ushort"/>.</summary>
    BF16 = 10,

    /// <summary>IEEE 754 single precision.</summary>
    F32 = 11,

    /// <summary>IEEE 754 double precision.</summary>
    F64 = 12,
}
