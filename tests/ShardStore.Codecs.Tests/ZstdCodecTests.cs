using System.Buffers.Binary;
using ShardStore.Codecs.Tests.Infrastructure;
using ShardStore.Compression;

namespace ShardStore.Codecs.Tests;

[TestClass]
public sealed class ZstdCodecTests : CodecContractTests
{
    private static readonly ZstdCodec s_codec = new();

    protected override ChunkCodec Codec => s_codec;

    protected override int DeterminismLevel => 19;

    protected override int WorkingLevel => 3;

    [TestMethod]
    public void Properties_Loaded_DescribeLibraryLevels()
    {
        Assert.AreEqual(CodecKind.Zstd, s_codec.Kind);
        Assert.AreEqual(3, s_codec.DefaultLevel);
        Assert.IsLessThan(0, s_codec.MinLevel);
        Assert.AreEqual(22, s_codec.MaxLevel);
    }

    [TestMethod]
    [DataRow(-50)]
    [DataRow(-5)]
    [DataRow(-1)]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(3)]
    [DataRow(9)]
    [DataRow(19)]
    public void TryEncode_Level_RoundTrips(int level)
    {
        CodecAssert.RoundTrips(s_codec, TestData.Compressible(300_000), level);
        CodecAssert.RoundTrips(s_codec, TestData.Incompressible(100_000), level);
    }

    [TestMethod]
    public void TryEncode_MinAndMaxLevel_RoundTrip()
    {
        byte[] input = TestData.Compressible(200_000);
        CodecAssert.RoundTrips(s_codec, input, s_codec.MinLevel);
        CodecAssert.RoundTrips(s_codec, input, s_codec.MaxLevel);
    }

    [TestMethod]
    public void TryEncode_LevelZero_SameBytesAsDefaultLevel()
    {
        byte[] input = TestData.Compressible(300_000);
        CodecAssert.BytesEqual(CodecAssert.RoundTrips(s_codec, input, 3), CodecAssert.RoundTrips(s_codec, input, 0));
    }

    [TestMethod]
    public void TryEncode_HigherLevel_CompressesMore()
    {
        byte[] input = TestData.Compressible(1 << 20);
        int fast = CodecAssert.RoundTrips(s_codec, input, -5).Length;
        int strong = CodecAssert.RoundTrips(s_codec, input, 19).Length;
        Assert.IsLessThan(fast, strong);
    }

    [TestMethod]
    public void TryEncode_EmptySource_RoundTrips()
    {
        byte[] encoded = CodecAssert.RoundTrips(s_codec, [], s_codec.DefaultLevel);
        Assert.IsTrue(s_codec.TryDecode(encoded, Span<byte>.Empty, out int written));
        Assert.AreEqual(0, written);
    }

    [TestMethod]
    public void TryEncode_DestinationOneByteShort_ReturnsFalse()
    {
        byte[] input = TestData.Compressible(100_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 3);
        Assert.IsFalse(s_codec.TryEncode(input, new byte[encoded.Length - 1], 3, out int written));
        Assert.AreEqual(0, written);
        Assert.IsFalse(s_codec.TryEncode(input, Span<byte>.Empty, 3, out _));
        Assert.IsFalse(s_codec.TryEncode([], Span<byte>.Empty, 3, out _));
    }

    [TestMethod]
    public void TryEncode_LevelBelowMinimum_ThrowsArgumentOutOfRange()
    {
        int level = s_codec.MinLevel - 1;
        var exception = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s_codec.TryEncode([1, 2, 3], new byte[64], level, out _));
        Assert.AreEqual("level", exception.ParamName);
    }

    [TestMethod]
    [DataRow(23)]
    [DataRow(int.MaxValue)]
    public void TryEncode_LevelAboveMaximum_ThrowsArgumentOutOfRange(int level) =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s_codec.TryEncode([1, 2, 3], new byte[64], level, out _));

    [TestMethod]
    public void GetMaxEncodedLength_BoundBeyondSpanLength_ThrowsArgumentOutOfRange() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s_codec.GetMaxEncodedLength(int.MaxValue));

    [TestMethod]
    public void GetMaxEncodedLength_IncompressibleInput_Suffices()
    {
        byte[] input = TestData.Incompressible(1 << 20);
        Assert.IsGreaterThan(input.Length, CodecAssert.RoundTrips(s_codec, input, 19).Length);
    }

    [TestMethod]
    [DataRow(3)]
    [DataRow(-5)]
    public void GetMaxDecodedLength_MaximallyCompressibleInput_BoundsDecodedLength(int level)
    {
        byte[] zeros = new byte[64 << 20];
        byte[] encoded = CodecAssert.RoundTrips(s_codec, zeros, level);
        Assert.IsGreaterThanOrEqualTo((long)zeros.Length, s_codec.GetMaxDecodedLength(encoded.Length));
    }

    [TestMethod]
    public void GetMaxDecodedLength_Always_Is32768TimesEncodedLength()
    {
        Assert.AreEqual(0L, s_codec.GetMaxDecodedLength(0));
        Assert.AreEqual(32_768_000L, s_codec.GetMaxDecodedLength(1000));
    }

    [TestMethod]
    public void GetMaxDecodedLength_HugeEncodedLength_SaturatesInsteadOfOverflowing() =>
        Assert.AreEqual(long.MaxValue, s_codec.GetMaxDecodedLength(long.MaxValue / 1000));

    [TestMethod]
    public void GetMaxDecodedLength_Negative_ThrowsArgumentOutOfRange() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => s_codec.GetMaxDecodedLength(-1));

    [TestMethod]
    public void TryDecode_DeclaredSizeAboveDestination_ReturnsFalseWithoutWriting()
    {
        byte[] input = TestData.Compressible(100_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 3);
        byte[] destination = new byte[input.Length - 1];
        destination.AsSpan().Fill(0xA5);
        Assert.IsFalse(s_codec.TryDecode(encoded, destination, out int written));
        Assert.AreEqual(0, written);
        Assert.IsFalse(destination.AsSpan().ContainsAnyExcept((byte)0xA5), "The destination was written to.");
    }

    [TestMethod]
    public void TryDecode_EmptySource_ReturnsFalse() =>
        Assert.IsFalse(s_codec.TryDecode([], new byte[16], out _));

    [TestMethod]
    public void TryDecode_TrailingBytesAfterFrame_ReturnsFalse()
    {
        byte[] input = TestData.Compressible(10_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 3);
        Assert.IsFalse(s_codec.TryDecode([.. encoded, 0], new byte[input.Length], out _));
    }

    [TestMethod]
    public void TryDecode_TwoConcatenatedFrames_ReturnsFalse()
    {
        byte[] input = TestData.Compressible(10_000);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 3);
        Assert.IsFalse(s_codec.TryDecode([.. encoded, .. encoded], new byte[2 * input.Length], out _));
    }

    [TestMethod]
    public void TryDecode_SkippableFrame_ReturnsFalse()
    {
        byte[] skippable = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(skippable, 0x184D2A50);
        BinaryPrimitives.WriteUInt32LittleEndian(skippable.AsSpan(4), 4);
        Assert.IsFalse(s_codec.TryDecode(skippable, new byte[16], out _));
    }

    [TestMethod]
    public void TryDecode_Garbage_AlwaysReturnsFalse() =>
        Assert.AreEqual(500, CodecAssert.SurvivesGarbage(s_codec, 500));

    [TestMethod]
    public void TryEncode_Output_DecodesWithZstdCommandLine()
    {
        RequireZstdCli();
        byte[] input = TestData.Compressible(2 << 20);
        byte[] encoded = CodecAssert.RoundTrips(s_codec, input, 3);
        CodecAssert.BytesEqual(input, ZstdCli.Run(encoded, "-q", "-d", "-c"));
    }

    [TestMethod]
    public void TryDecode_ZstdCommandLineFrame_DecodesToInput()
    {
        RequireZstdCli();
        byte[] input = TestData.Compressible(2 << 20);
        byte[] encoded = ZstdCli.Run(input, "-q", "-c", "-9");
        byte[] decoded = new byte[input.Length];
        Assert.IsTrue(s_codec.TryDecode(encoded, decoded, out int written));
        Assert.AreEqual(input.Length, written);
        CodecAssert.BytesEqual(input, decoded);
    }

    [TestMethod]
    public void TryDecode_FrameWithoutContentSizeIntoSmallDestination_ReturnsFalse()
    {
        RequireZstdCli();
        byte[] input = TestData.Compressible(300_000);
        byte[] encoded = ZstdCli.Run(input, "-q", "-c", "--no-content-size");
        Assert.IsFalse(CodecAssert.DecodeGuarded(s_codec, encoded, input.Length - 1).Succeeded);
        (bool succeeded, int written) = CodecAssert.DecodeGuarded(s_codec, encoded, input.Length + 100);
        Assert.IsTrue(succeeded);
        Assert.AreEqual(input.Length, written);
    }

    private static void RequireZstdCli()
    {
        if (ZstdCli.Executable is null)
        {
            Assert.Inconclusive("The zstd command-line tool is not on PATH; install the zstd package to run this cross-check.");
        }
    }
}
