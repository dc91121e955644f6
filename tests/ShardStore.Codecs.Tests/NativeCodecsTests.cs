using ShardStore.Compression;

namespace ShardStore.Codecs.Tests;

[TestClass]
public sealed class NativeCodecsTests
{
    [TestMethod]
    public void Lz4Version_Loaded_IsAtLeast19() =>
        Assert.IsGreaterThanOrEqualTo(new Version(1, 9), Version.Parse(NativeCodecs.Lz4Version));

    [TestMethod]
    public void ZstdVersion_Loaded_IsAtLeast15() =>
        Assert.IsGreaterThanOrEqualTo(new Version(1, 5), Version.Parse(NativeCodecs.ZstdVersion));

    [TestMethod]
    public void Codecs_Always_ReportTheirKind()
    {
        Assert.AreEqual(CodecKind.Lz4, NativeCodecs.Lz4.Kind);
        Assert.AreEqual(CodecKind.Lz4HC, NativeCodecs.Lz4HC.Kind);
        Assert.AreEqual(CodecKind.Zstd, NativeCodecs.Zstd.Kind);
    }

    [TestMethod]
    public void Provider_EachNativeKind_ReturnsTheMatchingCodec()
    {
        Assert.IsTrue(NativeCodecs.Provider.TryGetCodec(CodecKind.Lz4, out ChunkCodec? lz4));
        Assert.AreSame(NativeCodecs.Lz4, lz4);
        Assert.IsTrue(NativeCodecs.Provider.TryGetCodec(CodecKind.Lz4HC, out ChunkCodec? lz4HC));
        Assert.AreSame(NativeCodecs.Lz4HC, lz4HC);
        Assert.IsTrue(NativeCodecs.Provider.TryGetCodec(CodecKind.Zstd, out ChunkCodec? zstd));
        Assert.AreSame(NativeCodecs.Zstd, zstd);
    }
}
