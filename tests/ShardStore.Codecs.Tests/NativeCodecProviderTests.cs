using ShardStore.Codecs.Internals;
using ShardStore.Compression;

namespace ShardStore.Codecs.Tests;

[TestClass]
public sealed class NativeCodecProviderTests
{
    private static readonly NativeCodecProvider s_provider = new(NativeCodecs.Lz4, NativeCodecs.Lz4HC, NativeCodecs.Zstd);

    [TestMethod]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Lz4HC)]
    [DataRow(CodecKind.Zstd)]
    public void TryGetCodec_NativeKind_ReturnsCodecOfThatKind(CodecKind kind)
    {
        Assert.IsTrue(s_provider.TryGetCodec(kind, out ChunkCodec? codec));
        Assert.AreEqual(kind, codec.Kind);
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow((CodecKind)200)]
    public void TryGetCodec_KindWithoutNativeCodec_ReturnsFalse(CodecKind kind)
    {
        Assert.IsFalse(s_provider.TryGetCodec(kind, out ChunkCodec? codec));
        Assert.IsNull(codec);
    }
}
