using ShardStore.Codecs.Interop;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs.Tests;

[TestClass]
public sealed unsafe class ZstdCompressionContextHandleTests
{
    [TestMethod]
    public void Create_Always_ReturnsOpenValidHandle()
    {
        using ZstdCompressionContextHandle handle = ZstdCompressionContextHandle.Create();
        Assert.IsFalse(handle.IsInvalid);
        Assert.IsFalse(handle.IsClosed);
    }

    [TestMethod]
    public void Dispose_Twice_ClosesOnceWithoutThrowing()
    {
        ZstdCompressionContextHandle handle = ZstdCompressionContextHandle.Create();
        handle.Dispose();
        handle.Dispose();
        Assert.IsTrue(handle.IsClosed);
    }

    [TestMethod]
    public void CompressCCtx_OpenHandle_ProducesDecodableFrame()
    {
        byte[] input = new byte[10_000];
        byte[] frame = new byte[(int)Zstd.ZSTD_compressBound((nuint)input.Length)];
        nuint written;
        using (ZstdCompressionContextHandle handle = ZstdCompressionContextHandle.Create())
        {
            fixed (byte* src = input)
            fixed (byte* dst = frame)
            {
                written = Zstd.ZSTD_compressCCtx(handle, dst, (nuint)frame.Length, src, (nuint)input.Length, 3);
            }
        }

        Assert.AreEqual(0u, Zstd.ZSTD_isError(written));
        byte[] decoded = new byte[input.Length];
        Assert.IsTrue(NativeCodecs.Zstd.TryDecode(frame.AsSpan(0, (int)written), decoded, out int decodedLength));
        Assert.AreEqual(input.Length, decodedLength);
    }

    [TestMethod]
    public void CompressCCtx_DisposedHandle_ThrowsObjectDisposed()
    {
        ZstdCompressionContextHandle handle = ZstdCompressionContextHandle.Create();
        handle.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => Zstd.ZSTD_compressCCtx(handle, null, 0, null, 0, 3));
    }
}
