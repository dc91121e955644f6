namespace ShardStore.Testing.Infrastructure;

/// <summary>A schema with one fixed and one variable field of every dtype, and random samples for it that compress (mostly zero bytes) and hold any bit pattern otherwise (NaNs, infinities, extremes).</summary>
internal static class EveryDTypeDataset
{
    /// <summary>Returns the schema: one fixed field (scalars, vectors, matrices) and one variable field of every dtype, the fixed f32 field of shape <paramref name="f32Shape"/>.</summary>
    public static Schema CreateSchema(params int[] f32Shape) => new(
        FieldSpec.Fixed("u8", DType.U8, 3),
        FieldSpec.Fixed("i8", DType.I8),
        FieldSpec.Fixed("u16", DType.U16, 2, 3),
        FieldSpec.Fixed("i16", DType.I16),
        FieldSpec.Fixed("u32", DType.U32, 5),
        FieldSpec.Fixed("i32", DType.I32),
        FieldSpec.Fixed("u64", DType.U64, 2),
        FieldSpec.Fixed("i64", DType.I64),
        FieldSpec.Fixed("f16", DType.F16, 4),
        FieldSpec.Fixed("bf16", DType.BF16, 2, 2),
        FieldSpec.Fixed("f32", DType.F32, f32Shape),
        FieldSpec.Fixed("f64", DType.F64),
        FieldSpec.Variable("v_u8", DType.U8),
        FieldSpec.Variable("v_i8", DType.I8),
        FieldSpec.Variable("v_u16", DType.U16),
        FieldSpec.Variable("v_i16", DType.I16),
        FieldSpec.Variable("v_u32", DType.U32),
        FieldSpec.Variable("v_i32", DType.I32),
        FieldSpec.Variable("v_u64", DType.U64),
        FieldSpec.Variable("v_i64", DType.I64),
        FieldSpec.Variable("v_f16", DType.F16),
        FieldSpec.Variable("v_bf16", DType.BF16),
        FieldSpec.Variable("v_f32", DType.F32),
        FieldSpec.Variable("v_f64", DType.F64));

    /// <summary>Writes <paramref name="samples"/> samples of <paramref name="schema"/> to <paramref name="writer"/>, drawn from <paramref name="random"/>:
    /// a variable field is empty one time in four and holds 1 to <paramref name="maxVariableElements"/> - 1 elements otherwise,
    /// and a byte is zero <paramref name="zeroTenths"/> times in ten.</summary>
    public static void WriteSamples(DatasetWriter writer, Schema schema, Random random, int samples, int maxVariableElements, int zeroTenths)
    {
        for (int s = 0; s < samples; s++)
        {
            for (int f = 0; f < schema.Count; f++)
            {
                FieldSpec spec = schema[f];
                int elements = spec.IsVariable ? (random.Next(4) == 0 ? 0 : random.Next(1, maxVariableElements)) : spec.ElementsPerSample;
                byte[] bytes = new byte[elements * spec.ItemSize];
                for (int i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = random.Next(10) < zeroTenths ? (byte)0 : (byte)random.Next(256);
                }

                writer.Write<byte>(f, bytes);
            }

            writer.EndSample();
        }
    }
}
