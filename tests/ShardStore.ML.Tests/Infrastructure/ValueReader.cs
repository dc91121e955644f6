using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ShardStore.ML.Tests.Infrastructure;

/// <summary>Reads one field of a row as text, exactly (floats as their bits), from a cursor or from the dataset.</summary>
internal static class ValueReader
{
    /// <summary>Returns the values a cursor's getter gives for <paramref name="column"/>.</summary>
    public static List<string> FromCursor(DataViewRowCursor cursor, DataViewSchema.Column column, FieldSpec field)
    {
        bool vector = field.IsVariable || field.Shape.Count > 0;
        return field.DType switch
        {
            DType.U8 => Read<byte>(cursor, column, vector),
            DType.I8 => Read<sbyte>(cursor, column, vector),
            DType.U16 => Read<ushort>(cursor, column, vector),
            DType.I16 => Read<short>(cursor, column, vector),
            DType.U32 => Read<uint>(cursor, column, vector),
            DType.I32 => Read<int>(cursor, column, vector),
            DType.U64 => Read<ulong>(cursor, column, vector),
            DType.I64 => Read<long>(cursor, column, vector),
            DType.F16 or DType.BF16 or DType.F32 => Read<float>(cursor, column, vector),
            DType.F64 => Read<double>(cursor, column, vector),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
    }

    /// <summary>Returns the values the dataset holds for <paramref name="field"/> of <paramref name="sample"/>, converted as documented (f16 and bf16 to float).</summary>
    public static List<string> Expected(SampleLease sample, int index, FieldSpec field) => field.DType switch
    {
        DType.U8 => Format(sample.Get<byte>(index).ToArray()),
        DType.I8 => Format(sample.Get<sbyte>(index).ToArray()),
        DType.U16 => Format(sample.Get<ushort>(index).ToArray()),
        DType.I16 => Format(sample.Get<short>(index).ToArray()),
        DType.U32 => Format(sample.Get<uint>(index).ToArray()),
        DType.I32 => Format(sample.Get<int>(index).ToArray()),
        DType.U64 => Format(sample.Get<ulong>(index).ToArray()),
        DType.I64 => Format(sample.Get<long>(index).ToArray()),
        DType.F16 => Format(sample.Get<Half>(index).ToArray().Select(h => (float)h).ToArray()),
        DType.BF16 => Format(sample.Get<ushort>(index).ToArray().Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray()),
        DType.F32 => Format(sample.Get<float>(index).ToArray()),
        DType.F64 => Format(sample.Get<double>(index).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    private static List<string> Read<T>(DataViewRowCursor cursor, DataViewSchema.Column column, bool vector)
    {
        if (!vector)
        {
            T value = default!;
            cursor.GetGetter<T>(column)(ref value);
            return Format([value]);
        }

        VBuffer<T> buffer = default;
        cursor.GetGetter<VBuffer<T>>(column)(ref buffer);
        Assert.IsTrue(buffer.IsDense, $"column {column.Name} is dense");
        return Format(buffer.DenseValues().ToArray());
    }

    private static List<string> Format<T>(T[] values) => [.. values.Select(v => v switch
    {
        float f => BitConverter.SingleToInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture),
        double d => BitConverter.DoubleToInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException("not a number", nameof(values)),
    })];
}
