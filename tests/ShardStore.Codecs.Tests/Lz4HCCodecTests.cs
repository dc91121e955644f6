using ShardStore.Codecs.Tests.Infrastructure;
using ShardStore.Compression;

namespace ShardStore.Codecs.Tests;

[TestClass]
public sealed class Lz4HCCodecTests : CodecContractTests
{
    private static readonly Lz4HCCodec s_codec = new();

    protected override ChunkCodec Codec => s_codec;

    protected override int DeterminismLevel => 12;

    protected override int WorkingLevel => 12;

    [TestMethod]
    public void Properties_Always_DescribeHCLevels()
    {
        Assert.AreEqual(CodecKind.Lz4HC, s_codec.Kind);
        Assert.AreEqual(9, s_codec.DefaultLevel);
        Assert.AreEqual(1, s_codec.MinLevel);
        Assert.AreEqual(12, s_codec.MaxLevel);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(4)]
    [DataRow(5)]
    [DataRow(6)]
    [DataRow(7)]
    [DataRow(8)]
    [DataRow(9)]
    [DataRow(10)]
    [DataRow(11)]
    [DataRow(12)]
    public void TryEncode_Level_RoundTrips(int level)
    {
        CodecAssert.RoundTrips(s_codec, TestData.Compressible(300_000), level);
        CodecAssert.RoundTrips(s_codec, TestData.Incompressible(100_000), level);
    }

    [TestMethod]
    public void TryEncode_CompressibleInput_SmallerThanFastLz4()
    {
        byte[] input = TestData.Compressible(1 << 20);
        int hc = CodecAssert.RoundTrips(s_codec, input, 12).Length;
        int fast = CodecAssert.RoundTrips(NativeCodecs.Lz4, input, 1).Length;
        Assert.IsLessThan(fast, hc);
    }

    [TestMethod]
    public void TryEncode_EmptySource_RoundTrips()
    {
        byte[] encoded = CodecAssert.RoundTrips(s_codec, [], s_codec.DefaultLevel);
        Assert.HasCount(1, encoded);
    }

    [TestMethod]
    public void TryEncode_DestinationOneByteShort_ReturnsFalse()
    {
        byte[] input = TestData.Compressible(100_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 9);
        Assert.IsFalse(s_codec.TryEncode(input, new byte[encoded.Length - 1], 9, out _));
        Assert.IsFalse(s_codec.TryEncode(input, Span<byte>.Empty, 9, out _));
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(-1)]
    [DataRow(13)]
    public void TryEncode_LevelOutOfRange_ThrowsArgumentOutOfRange(int level)
    {
        var exception = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s_codec.TryEncode([1, 2, 3], new byte[64], level, out _));
        Assert.AreEqual("level", exception.ParamName);
    }

    [TestMethod]
    public void GetMaxDecodedLength_MaximallyCompressibleInput_BoundsDecodedLength()
    {
        byte[] zeros = new byte[64 << 20];
        byte[] encoded = CodecAssert.RoundTrips(s_codec, zeros, 12);
        Assert.IsGreaterThanOrEqualTo((long)zeros.Length, s_codec.GetMaxDecodedLength(encoded.Length));
    }

    [TestMethod]
    public void GetMaxDecodedLength_Always_MatchesLz4() =>
        Assert.AreEqual(NativeCodecs.Lz4.GetMaxDecodedLength(12345), s_codec.GetMaxDecodedLength(12345));

    [TestMethod]
    public void TryDecode_DestinationTooSmall_ReturnsFalse()
    {
        byte[] input = TestData.Compressible(100_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 9);
        Assert.IsFalse(CodecAssert.DecodeGuarded(s_codec, encoded, input.Length - 1).Succeeded);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(9)]
    [DataRow(12)]
    public void TryEncode_Output_DecodesWithLz4Codec(int level)
    {
        byte[] input = TestData.Compressible(400_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, level);
        byte[] decoded = new byte[input.Length];
        Assert.IsTrue(NativeCodecs.Lz4.TryDecode(encoded, decoded, out int written));
        Assert.AreEqual(input.Length, written);
        CodecAssert.BytesEqual(input, decoded);
    }
}
