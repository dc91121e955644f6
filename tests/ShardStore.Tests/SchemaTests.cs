using System.Text;
using System.Text.Json;

namespace ShardStore.Tests;

[TestClass]
public sealed class SchemaTests
{
    [TestMethod]
    public void Constructor_DuplicateName_Throws() =>
        Assert.ThrowsExactly<ArgumentException>(() => new Schema(FieldSpec.Fixed("a", DType.U8), FieldSpec.Bytes("a")));

    [TestMethod]
    public void Constructor_NoFields_Throws() => Assert.ThrowsExactly<ArgumentException>(() => new Schema());

    [TestMethod]
    public void Fixed_NonPositiveDimension_Throws() => Assert.ThrowsExactly<ArgumentException>(() => FieldSpec.Fixed("a", DType.F32, 3, 0));

    [TestMethod]
    public void Fixed_ShapeTooLarge_Throws() => Assert.ThrowsExactly<ArgumentException>(() => FieldSpec.Fixed("a", DType.F64, 1 << 16, 1 << 16));

    [TestMethod]
    public void Fixed_EmptyName_Throws() => Assert.ThrowsExactly<ArgumentException>(() => FieldSpec.Fixed(string.Empty, DType.F32));

    [TestMethod]
    public void Fingerprint_DiffersByNameDtypeShapeAndKind()
    {
        ulong baseline = new Schema(FieldSpec.Fixed("a", DType.F32, 2, 3)).Fingerprint;
        Assert.AreNotEqual(baseline, new Schema(FieldSpec.Fixed("b", DType.F32, 2, 3)).Fingerprint);
        Assert.AreNotEqual(baseline, new Schema(FieldSpec.Fixed("a", DType.I32, 2, 3)).Fingerprint);
        Assert.AreNotEqual(baseline, new Schema(FieldSpec.Fixed("a", DType.F32, 3, 2)).Fingerprint);
        Assert.AreNotEqual(baseline, new Schema(FieldSpec.Variable("a", DType.F32)).Fingerprint);
        Assert.AreEqual(baseline, new Schema(FieldSpec.Fixed("a", DType.F32, 2, 3)).Fingerprint);
    }

    [TestMethod]
    public void DTypeInfo_EveryDtype_NameRoundTripsAndSizeIsPowerOfTwo()
    {
        foreach (DType d in Enum.GetValues<DType>())
        {
            Assert.IsTrue(DTypeInfo.TryParse(DTypeInfo.GetName(d), out DType parsed));
            Assert.AreEqual(d, parsed);
            Assert.IsTrue(BitOperationsIsPow2(DTypeInfo.GetItemSize(d)), d.ToString());
        }

        Assert.IsFalse(DTypeInfo.TryParse("f128", out _));
    }

    [TestMethod]
    public void IsCompatible_MismatchedType_ReturnsFalse()
    {
        Assert.IsTrue(DTypeInfo.IsCompatible<float>(DType.F32));
        Assert.IsFalse(DTypeInfo.IsCompatible<int>(DType.F32));
        Assert.IsTrue(DTypeInfo.IsCompatible<ushort>(DType.BF16));
        Assert.IsTrue(DTypeInfo.IsCompatible<Half>(DType.F16));
        Assert.IsTrue(DTypeInfo.IsCompatible<byte>(DType.F64));
    }

    [TestMethod]
    public void WriteFieldsJson_Default_WritesShapeOfFixedAndFlagOfVariableFields()
    {
        var schema = new Schema(FieldSpec.Fixed("a", DType.F32, 2, 3), FieldSpec.Fixed("s", DType.I64), FieldSpec.Variable("t", DType.I32));

        string json = WriteFields(schema, writeEveryProperty: false);

        Assert.AreEqual(
            """[{"name":"a","dtype":"f32","shape":[2,3]},{"name":"s","dtype":"i64","shape":[]},{"name":"t","dtype":"i32","variable":true}]""",
            json);
    }

    [TestMethod]
    public void WriteFieldsJson_EveryProperty_WritesShapeAndFlagOfEveryField()
    {
        var schema = new Schema(FieldSpec.Fixed("a", DType.F32, 2, 3), FieldSpec.Variable("t", DType.I32));

        string json = WriteFields(schema, writeEveryProperty: true);

        Assert.AreEqual(
            """[{"name":"a","dtype":"f32","variable":false,"shape":[2,3]},{"name":"t","dtype":"i32","variable":true,"shape":[]}]""",
            json);
    }

    [TestMethod]
    public void WriteFieldsJson_NullWriter_Throws() =>
        Assert.ThrowsExactly<ArgumentNullException>(() => new Schema(FieldSpec.Bytes("b")).WriteFieldsJson(null!));

    private static string WriteFields(Schema schema, bool writeEveryProperty)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            schema.WriteFieldsJson(writer, writeEveryProperty);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool BitOperationsIsPow2(int value) => System.Numerics.BitOperations.IsPow2(value);
}
