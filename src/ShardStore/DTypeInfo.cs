using System.Diagnostics.CodeAnalysis;

namespace ShardStore;

/// <summary>Sizes, names and .NET type mapping of <see cref="DType"/> values.</summary>
public static class DTypeInfo
{
    private static readonly string[] s_names = ["", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f16", "bf16", "f32", "f64"];

    /// <summary>Returns whether <paramref name="dtype"/> is a value this version knows.</summary>
    /// <param name="dtype">The value to check.</param>
    public static bool IsDefined(DType dtype) => dtype is >= DType.U8 and <= DType.F64;

    /// <summary>Returns the size of one element in bytes.</summary>
    /// <param name="dtype">The element type.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static int GetItemSize(DType dtype) => dtype switch
    {
        DType.U8 or DType.I8 => 1,
        DType.U16 or DType.I16 or DType.F16 or DType.BF16 => 2,
        DType.U32 or DType.I32 or DType.F32 => 4,
        DType.U64 or DType.I64 or DType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>Returns the short lower-case name used in manifests and on the command line (<c>f32</c>, <c>bf16</c>).</summary>
    /// <param name="dtype">The element type.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static string GetName(DType dtype) =>
        IsDefined(dtype) ? s_names[(int)dtype] : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype.");

    /// <summary>Parses a short name such as <c>f32</c> or <c>i64</c> (case-insensitive).</summary>
    /// <param name="name">The name to parse.</param>
    /// <param name="dtype">The parsed type.</param>
    /// <returns><see langword="true"/> when <paramref name="name"/> names a dtype.</returns>
    public static bool TryParse([NotNullWhen(true)] string? name, out DType dtype)
    {
        for (int i = 1; i < s_names.Length; i++)
        {
            if (string.Equals(s_names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                dtype = (DType)i;
                return true;
            }
        }

        dtype = default;
        return false;
    }

    /// <summary>Returns whether spans of <typeparamref name="T"/> may view elements of <paramref name="dtype"/>.</summary>
    /// <remarks>
    /// Each dtype maps to its .NET primitive; <see cref="DType.F16"/> also accepts <see cref="ushort"/> and
    /// <see cref="DType.BF16"/> accepts <see cref="ushort"/> (there is no bfloat16 primitive). <see cref="byte"/>
    /// is always accepted and gives the raw little-endian bytes.
    /// </remarks>
    /// <typeparam name="T">The span element type.</typeparam>
    /// <param name="dtype">The field's element type.</param>
    public static bool IsCompatible<T>(DType dtype) where T : unmanaged
    {
        if (typeof(T) == typeof(byte))
        {
            return true;
        }

        return dtype switch
        {
            DType.U8 => false,
            DType.I8 => typeof(T) == typeof(sbyte),
            DType.U16 => typeof(T) == typeof(ushort),
            DType.I16 => typeof(T) == typeof(short),
            DType.U32 => typeof(T) == typeof(uint),
            DType.I32 => typeof(T) == typeof(int),
            DType.U64 => typeof(T) == typeof(ulong),
            DType.I64 => typeof(T) == typeof(long),
            DType.F16 => typeof(T) == typeof(Half) || typeof(T) == typeof(ushort),
            DType.BF16 => typeof(T) == typeof(ushort),
            DType.F32 => typeof(T) == typeof(float),
            DType.F64 => typeof(T) == typeof(double),
            _ => false,
        };
    }
}
