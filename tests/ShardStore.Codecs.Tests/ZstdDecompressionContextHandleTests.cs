using ShardStore.Codecs.Interop;
using ShardStore.Codecs.Tests.Infrastructure;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs.Tests;

[TestClass]
public sealed unsafe class ZstdDecompressionContextHandleTests
{
    [TestMethod]
    public void Create_Always_ReturnsOpenValidHandle()
    {
        using ZstdDecompressionContextHandle handle = ZstdDecompressionContextHandle.Create();
        Assert.IsFalse(handle.IsInvalid);
        Assert.IsFalse(handle.IsClosed);
    }

    [TestMethod]
    public void Dispose_Twice_ClosesOnceWithoutThrowing()
    {
        ZstdDecompressionContextHandle handle = ZstdDecompressionContextHandle.Create();
        handle.Dispose();
        handle.Dispose();
        Assert.IsTrue(handle.IsClosed);
    }

    [TestMethod]
    public void DecompressDCtx_OpenHandle_DecodesCodecOutput()
    {
        byte[] input = TestData.Compressible(50_000);
        byte[] frame = CodecAssert.RoundTrips(NativeCodecs.Zstd, input, 3);
        byte[] decoded = new byte[input.Length];
        nuint written;
        using (ZstdDecompressionContextHandle handle = ZstdDecompressionContextHandle.Create())
        {
            fixed (byte* src = frame)
            fixed (byte* dst = decoded)
            {
                written = Zstd.ZSTD_decompressDCtx(handle, dst, (nuint)decoded.Length, src, (nuint)frame.Length);
            }
        }

        Assert.AreEqual((nuint)input.Length, written);
        CodecAssert.BytesEqual(input, decoded);
    }

    [TestMethod]
    public void DecompressDCtx_DisposedHandle_ThrowsObjectDisposed()
    {
        ZstdDecompressionContextHandle handle = ZstdDecompressionContextHandle.Create();
        handle.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => Zstd.ZSTD_decompressDCtx(handle, null, 0, null, 0));
    }
}
