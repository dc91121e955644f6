using System.Numerics;
using System.Runtime.InteropServices;

namespace ShardPack.Importers;

/// <content>Conversion of a feature's values list to the bytes of its field's dtype, with the checks of count and range.</content>
internal sealed partial class TfRecordImporter
{
    private ReadOnlySpan<byte> Convert(Column column, TfExampleParser.Feature feature)
    {
        FieldSpec spec = column.Spec;
        if (column.InferredKind is { } kind && kind != feature.Kind)
        {
            throw Error($"feature '{column.Name}' is {KindName(feature.Kind)} but was {KindName(kind)} in record 0 (field {spec}); pin it with --feature to choose its field.", _reader.RecordNumber);
        }

        DType dtype = spec.DType;
        switch (feature.Kind)
        {
            case TfExampleParser.Kind.Float when dtype is DType.F32 or DType.F64 or DType.F16 or DType.BF16:
                CheckCount(column, feature.FloatCount);
                return dtype switch
                {
                    DType.F32 => MemoryMarshal.AsBytes(feature.Floats),
                    DType.F64 => ConvertFloats<double>(feature.Floats, f => f),
                    DType.F16 => ConvertFloats(feature.Floats, f => (Half)f),
                    _ => ConvertFloats(feature.Floats, ToBFloat16),
                };
            case TfExampleParser.Kind.Int64 when dtype is not (DType.F16 or DType.BF16):
                CheckCount(column, feature.Int64Count);
                return dtype switch
                {
                    DType.I64 => MemoryMarshal.AsBytes(feature.Int64s),
                    DType.F32 => ConvertInts<float>(column, feature.Int64s),
                    DType.F64 => ConvertInts<double>(column, feature.Int64s),
                    DType.I32 => ConvertInts<int>(column, feature.Int64s),
                    DType.I16 => ConvertInts<short>(column, feature.Int64s),
                    DType.I8 => ConvertInts<sbyte>(column, feature.Int64s),
                    DType.U64 => ConvertInts<ulong>(column, feature.Int64s),
                    DType.U32 => ConvertInts<uint>(column, feature.Int64s),
                    DType.U16 => ConvertInts<ushort>(column, feature.Int64s),
                    _ => ConvertInts<byte>(column, feature.Int64s),
                };
            case TfExampleParser.Kind.Bytes when dtype is DType.U8 or DType.I8:
                return ConvertBytes(column, feature);
            default:
                throw Error(
                    $"feature '{column.Name}' is {KindName(feature.Kind)}, which field {spec} cannot hold (float_list takes f32, f64, f16, bf16; int64_list integers, f32, f64; bytes_list u8).",
                    _reader.RecordNumber);
        }
    }

    private ReadOnlySpan<byte> ConvertBytes(Column column, TfExampleParser.Feature feature)
    {
        IReadOnlyList<(int Offset, int Length)> values = feature.BytesValues;
        if (!column.Concat && values.Count != 1)
        {
            throw Error($"feature '{column.Name}' holds {values.Count} bytes values; field {column.Spec} takes exactly one. Pin it with --feature {column.Name}:bytes:concat to store the values concatenated.", _reader.RecordNumber);
        }

        if (values.Count == 1)
        {
            CheckCount(column, values[0].Length);
            return _reader.Buffer.AsSpan(values[0].Offset, values[0].Length);
        }

        long total = values.Sum(v => (long)v.Length);
        CheckCount(column, total);
        Span<byte> joined = Scratch((int)total);
        int at = 0;
        foreach ((int offset, int length) in values)
        {
            _reader.Buffer.AsSpan(offset, length).CopyTo(joined[at..]);
            at += length;
        }

        return joined;
    }

    private void CheckCount(Column column, long count)
    {
        if (!column.Spec.IsVariable && count != column.Spec.ElementsPerSample)
        {
            throw Error($"feature '{column.Name}' has {count} values; field {column.Spec} takes {column.Spec.ElementsPerSample}. Pin it with --feature {column.Name}:{DTypeInfo.GetName(column.Spec.DType)}:* for variable length.", _reader.RecordNumber);
        }
    }

    private ReadOnlySpan<byte> ConvertFloats<T>(ReadOnlySpan<float> source, Func<float, T> convert)
        where T : unmanaged
    {
        Span<T> target = MemoryMarshal.Cast<byte, T>(Scratch(source.Length * Marshal.SizeOf<T>()));
        for (int i = 0; i < source.Length; i++)
        {
            target[i] = convert(source[i]);
        }

        return MemoryMarshal.AsBytes(target);
    }

    private ReadOnlySpan<byte> ConvertInts<T>(Column column, ReadOnlySpan<long> source)
        where T : unmanaged, INumberBase<T>
    {
        Span<T> target = MemoryMarshal.Cast<byte, T>(Scratch(source.Length * Marshal.SizeOf<T>()));
        for (int i = 0; i < source.Length; i++)
        {
            try
            {
                target[i] = T.CreateChecked(source[i]);
            }
            catch (OverflowException)
            {
                throw Error($"feature '{column.Name}' holds {source[i]}, which does not fit field {column.Spec}.", _reader.RecordNumber);
            }
        }

        return MemoryMarshal.AsBytes(target);
    }

    private static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return float.IsNaN(value) ? (ushort)((bits >> 16) | 0x40) : (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    private Span<byte> Scratch(int bytes)
    {
        if (_scratch.Length < bytes)
        {
            _scratch = new byte[Math.Max(bytes, _scratch.Length * 2)];
        }

        return _scratch.AsSpan(0, bytes);
    }
}
