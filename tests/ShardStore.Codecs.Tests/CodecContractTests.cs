using ShardStore.Codecs.Tests.Infrastructure;
using ShardStore.Compression;

namespace ShardStore.Codecs.Tests;

/// <summary>
/// What every codec must do, run once per codec by the derived test classes: round trips at the default level,
/// deterministic output, bounds checks, and safe failure on truncated or damaged input from several threads.
/// </summary>
public abstract class CodecContractTests
{
    /// <summary>Gets the codec under test.</summary>
    protected abstract ChunkCodec Codec { get; }

    /// <summary>Gets the level the determinism test encodes at (the slowest, most stateful one is the best test).</summary>
    protected abstract int DeterminismLevel { get; }

    /// <summary>Gets the level the corruption and threading tests encode at.</summary>
    protected abstract int WorkingLevel { get; }

    [TestMethod]
    [DataRow(1, true)]
    [DataRow(1, false)]
    [DataRow(2, true)]
    [DataRow(13, true)]
    [DataRow(13, false)]
    [DataRow(4096, true)]
    [DataRow(65_536, true)]
    [DataRow(65_537, false)]
    [DataRow(1 << 20, true)]
    [DataRow(1 << 20, false)]
    [DataRow(8 << 20, true)]
    [DataRow(8 << 20, false)]
    public void TryEncode_DefaultLevel_RoundTrips(int length, bool compressible) =>
        CodecAssert.RoundTrips(Codec, TestData.Create(length, compressible), Codec.DefaultLevel);

    [TestMethod]
    public void TryEncode_SameInputTwice_ProducesIdenticalBytes()
    {
        byte[] input = TestData.Compressible(500_000);
        CodecAssert.BytesEqual(CodecAssert.RoundTrips(Codec, input, DeterminismLevel), CodecAssert.RoundTrips(Codec, input, DeterminismLevel));
    }

    [TestMethod]
    public void GetMaxEncodedLength_Negative_ThrowsArgumentOutOfRange() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Codec.GetMaxEncodedLength(-1));

    [TestMethod]
    public void TryDecode_TruncatedInput_FailsOrDecodesShort() =>
        CodecAssert.RejectsEveryTruncation(Codec, TestData.Compressible(3000), WorkingLevel);

    [TestMethod]
    public void TryDecode_BitFlippedInput_StaysInsideDestination() =>
        Assert.IsGreaterThan(0, CodecAssert.SurvivesEveryBitFlip(Codec, TestData.Compressible(2000), WorkingLevel));

    [TestMethod]
    public void TryEncode_ManyThreads_RoundTripCorrectly() =>
        CodecAssert.RoundTripsOnManyThreads(Codec, WorkingLevel);
}
