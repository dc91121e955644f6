using System.Globalization;

namespace ShardPack.Importers;

/// <summary>Parses the pieces of field options shared by the importers: dtypes (<c>f32</c>) and shapes (<c>28x28</c>, <c>784</c>, empty for a scalar).</summary>
internal static class FieldSyntax
{
    /// <exception cref="UsageException">Not a dtype name.</exception>
    public static DType ParseDType(string text, string option) =>
        DTypeInfo.TryParse(text, out DType dtype)
            ? dtype
            : throw new UsageException($"{option}: unknown dtype '{text}'; use one of u8 i8 u16 i16 u32 i32 u64 i64 f16 bf16 f32 f64.");

    /// <summary>Parses <c>28x28</c> or <c>28,28</c> or <c>784</c>; an empty string or <c>scalar</c> is a scalar.</summary>
    /// <exception cref="UsageException">Not a shape.</exception>
    public static int[] ParseShape(string text, string option)
    {
        if (text.Length == 0 || text.Equals("scalar", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        string[] parts = text.Split(['x', 'X', ','], StringSplitOptions.TrimEntries);
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] <= 0)
            {
                throw new UsageException($"{option}: shape '{text}' must be positive integers separated by 'x', e.g. 28x28.");
            }
        }

        return dims;
    }

    /// <summary>Splits <c>A:B:C</c> into exactly <paramref name="min"/> to <paramref name="max"/> parts.</summary>
    /// <exception cref="UsageException">Too few or too many parts.</exception>
    public static string[] Split(string value, int min, int max, string option, string syntax)
    {
        string[] parts = value.Split(':');
        return parts.Length >= min && parts.Length <= max && parts[0].Length > 0
            ? parts
            : throw new UsageException($"{option} '{value}': expected {syntax}.");
    }

    /// <summary>Creates the schema, turning the library's argument errors (duplicate names) into usage errors.</summary>
    public static Schema CreateSchema(IEnumerable<FieldSpec> fields)
    {
        try
        {
            return new Schema(fields);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
