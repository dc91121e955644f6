using ShardStore.Codecs.Tests.Infrastructure;
using ShardStore.Compression;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs.Tests;

[TestClass]
public sealed class Lz4CodecTests : CodecContractTests
{
    private static readonly Lz4Codec s_codec = new();

    protected override ChunkCodec Codec => s_codec;

    protected override int DeterminismLevel => 1;

    protected override int WorkingLevel => 1;

    [TestMethod]
    public void Properties_Always_DescribeAccelerationLevels()
    {
        Assert.AreEqual(CodecKind.Lz4, s_codec.Kind);
        Assert.AreEqual(1, s_codec.DefaultLevel);
        Assert.AreEqual(1, s_codec.MinLevel);
        Assert.AreEqual(65537, s_codec.MaxLevel);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(8)]
    [DataRow(1000)]
    [DataRow(65537)]
    public void TryEncode_Level_RoundTrips(int level)
    {
        CodecAssert.RoundTrips(s_codec, TestData.Compressible(300_000), level);
        CodecAssert.RoundTrips(s_codec, TestData.Incompressible(300_000), level);
    }

    [TestMethod]
    public void TryEncode_HigherAcceleration_CompressesLess()
    {
        byte[] input = TestData.Compressible(1 << 20);
        int atDefault = CodecAssert.RoundTrips(s_codec, input, 1).Length;
        int atFastest = CodecAssert.RoundTrips(s_codec, input, 65537).Length;
        Assert.IsGreaterThan(atDefault, atFastest);
    }

    [TestMethod]
    public void TryEncode_EmptySource_WritesOneByteThatDecodesToEmpty()
    {
        byte[] encoded = CodecAssert.RoundTrips(s_codec, [], s_codec.DefaultLevel);
        CollectionAssert.AreEqual(new byte[] { 0 }, encoded);
        Assert.IsTrue(s_codec.TryDecode(encoded, Span<byte>.Empty, out int written));
        Assert.AreEqual(0, written);
    }

    [TestMethod]
    public void TryEncode_EmptyDestination_ReturnsFalse()
    {
        Assert.IsFalse(s_codec.TryEncode([], Span<byte>.Empty, 1, out int written));
        Assert.AreEqual(0, written);
        Assert.IsFalse(s_codec.TryEncode(TestData.Compressible(100), Span<byte>.Empty, 1, out _));
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(100)]
    public void TryEncode_DestinationOneByteShort_ReturnsFalse(int level)
    {
        byte[] input = TestData.Compressible(100_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, level);
        Assert.IsFalse(s_codec.TryEncode(input, new byte[encoded.Length - 1], level, out _));
    }

    [TestMethod]
    public void TryEncode_IncompressibleInput_FitsInMaxEncodedLength()
    {
        byte[] input = TestData.Incompressible(1 << 20);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 1);
        Assert.IsGreaterThan(input.Length, encoded.Length);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    [DataRow(65538)]
    [DataRow(int.MaxValue)]
    public void TryEncode_LevelOutOfRange_ThrowsArgumentOutOfRange(int level)
    {
        var exception = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s_codec.TryEncode([1, 2, 3], new byte[64], level, out _));
        Assert.AreEqual("level", exception.ParamName);
    }

    [TestMethod]
    public void GetMaxEncodedLength_AboveLz4InputLimit_ThrowsArgumentOutOfRange() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s_codec.GetMaxEncodedLength(0x7E000001));

    [TestMethod]
    public void GetMaxEncodedLength_AtLz4InputLimit_ExceedsSource() =>
        Assert.IsGreaterThan(0x7E000000, s_codec.GetMaxEncodedLength(0x7E000000));

    [TestMethod]
    public void GetMaxDecodedLength_MaximallyCompressibleInput_BoundsDecodedLength()
    {
        byte[] zeros = new byte[64 << 20];
        byte[] encoded = CodecAssert.RoundTrips(s_codec, zeros, 1);
        Assert.IsGreaterThanOrEqualTo((long)zeros.Length, s_codec.GetMaxDecodedLength(encoded.Length));
    }

    [TestMethod]
    public void GetMaxDecodedLength_Always_Is255TimesEncodedLength()
    {
        Assert.AreEqual(0L, s_codec.GetMaxDecodedLength(0));
        Assert.AreEqual(255_000L, s_codec.GetMaxDecodedLength(1000));
    }

    [TestMethod]
    public void GetMaxDecodedLength_HugeEncodedLength_SaturatesInsteadOfOverflowing() =>
        Assert.AreEqual(long.MaxValue, s_codec.GetMaxDecodedLength(long.MaxValue / 100));

    [TestMethod]
    public void GetMaxDecodedLength_Negative_ThrowsArgumentOutOfRange() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s_codec.GetMaxDecodedLength(-1));

    [TestMethod]
    public void TryDecode_EmptySource_ReturnsFalse()
    {
        Assert.IsFalse(s_codec.TryDecode([], new byte[16], out _));
        Assert.IsFalse(s_codec.TryDecode([], Span<byte>.Empty, out _));
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(1000)]
    public void TryDecode_DestinationTooSmall_ReturnsFalse(int shortBy)
    {
        byte[] input = TestData.Compressible(100_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 1);
        (bool succeeded, _) = CodecAssert.DecodeGuarded(s_codec, encoded, input.Length - shortBy);
        Assert.IsFalse(succeeded);
    }

    [TestMethod]
    public void TryDecode_Garbage_StaysInsideDestination() =>
        Assert.IsGreaterThan(0, CodecAssert.SurvivesGarbage(s_codec, 500));

    [TestMethod]
    public unsafe void TryEncode_Output_DecodesWithNativeDecompressSafe()
    {
        byte[] input = TestData.Compressible(200_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 1);
        byte[] decoded = new byte[input.Length];
        int result;
        fixed (byte* src = encoded)
        fixed (byte* dst = decoded)
        {
            result = Lz4.LZ4_decompress_safe(src, dst, encoded.Length, decoded.Length);
        }

        Assert.AreEqual(input.Length, result);
        CodecAssert.BytesEqual(input, decoded);
    }
}
