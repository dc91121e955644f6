using Microsoft.ML;
using Microsoft.ML.Data;

namespace ShardStore.ML.Internals;

/// <summary>One field as a column: its ML.NET type, and getters that copy a sample's value out of the current chunk.</summary>
internal sealed class ColumnBinding
{
    public ColumnBinding(int field, FieldSpec spec)
    {
        Field = field;
        Spec = spec;
        PrimitiveDataViewType item = ItemType(spec.DType);
        IsVector = spec.IsVariable || spec.Shape.Count > 0;
        Type = spec.IsVariable ? new VectorDataViewType(item) : spec.Shape.Count == 0 ? item : new VectorDataViewType(item, spec.Shape.ToArray());
        GetterValueType = IsVector ? typeof(VBuffer<>).MakeGenericType(item.RawType) : item.RawType;
    }

    public int Field { get; }

    public FieldSpec Spec { get; }

    public DataViewType Type { get; }

    public bool IsVector { get; }

    /// <summary>Gets the CLR type a getter of this column takes: the item type, or <see cref="VBuffer{T}"/> of it.</summary>
    public Type GetterValueType { get; }

    public static PrimitiveDataViewType ItemType(DType dtype) => dtype switch
    {
        DType.U8 => NumberDataViewType.Byte,
        DType.I8 => NumberDataViewType.SByte,
        DType.U16 => NumberDataViewType.UInt16,
        DType.I16 => NumberDataViewType.Int16,
        DType.U32 => NumberDataViewType.UInt32,
        DType.I32 => NumberDataViewType.Int32,
        DType.U64 => NumberDataViewType.UInt64,
        DType.I64 => NumberDataViewType.Int64,
        DType.F16 or DType.BF16 or DType.F32 => NumberDataViewType.Single,
        DType.F64 => NumberDataViewType.Double,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    public Delegate CreateGetter(ShardRowCursor cursor) => Spec.DType switch
    {
        DType.U8 => Getter<byte>(cursor),
        DType.I8 => Getter<sbyte>(cursor),
        DType.U16 => Getter<ushort>(cursor),
        DType.I16 => Getter<short>(cursor),
        DType.U32 => Getter<uint>(cursor),
        DType.I32 => Getter<int>(cursor),
        DType.U64 => Getter<ulong>(cursor),
        DType.I64 => Getter<long>(cursor),
        DType.F32 => Getter<float>(cursor),
        DType.F64 => Getter<double>(cursor),
        DType.F16 => IsVector ? HalfVector(cursor, Field) : HalfScalar(cursor, Field),
        DType.BF16 => IsVector ? BFloat16Vector(cursor, Field) : BFloat16Scalar(cursor, Field),
        _ => throw new InvalidOperationException($"Field '{Spec.Name}' has an unknown dtype {Spec.DType}."),
    };

    private Delegate Getter<T>(ShardRowCursor cursor)
        where T : unmanaged
    {
        int field = Field;
        if (!IsVector)
        {
            return (ValueGetter<T>)((ref T value) => value = cursor.Sample<T>(field)[0]);
        }

        return (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
        {
            ReadOnlySpan<T> source = cursor.Sample<T>(field);
            VBufferEditor<T> editor = VBufferEditor.Create(ref value, source.Length);
            source.CopyTo(editor.Values);
            value = editor.Commit();
        });
    }

    // binary16 -> binary32 is exact for every value (the conversion widens exponent and mantissa).
    private static ValueGetter<float> HalfScalar(ShardRowCursor cursor, int field) =>
        (ref float value) => value = (float)cursor.Sample<Half>(field)[0];

    private static ValueGetter<VBuffer<float>> HalfVector(ShardRowCursor cursor, int field) =>
        (ref VBuffer<float> value) =>
        {
            ReadOnlySpan<Half> source = cursor.Sample<Half>(field);
            VBufferEditor<float> editor = VBufferEditor.Create(ref value, source.Length);
            for (int i = 0; i < source.Length; i++)
            {
                editor.Values[i] = (float)source[i];
            }

            value = editor.Commit();
        };

    // A bfloat16 is the upper 16 bits of a binary32, so moving its bits up is the exact conversion.
    private static float FromBFloat16(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    private static ValueGetter<float> BFloat16Scalar(ShardRowCursor cursor, int field) =>
        (ref float value) => value = FromBFloat16(cursor.Sample<ushort>(field)[0]);

    private static ValueGetter<VBuffer<float>> BFloat16Vector(ShardRowCursor cursor, int field) =>
        (ref VBuffer<float> value) =>
        {
            ReadOnlySpan<ushort> source = cursor.Sample<ushort>(field);
            VBufferEditor<float> editor = VBufferEditor.Create(ref value, source.Length);
            for (int i = 0; i < source.Length; i++)
            {
                editor.Values[i] = FromBFloat16(source[i]);
            }

            value = editor.Commit();
        };
}
