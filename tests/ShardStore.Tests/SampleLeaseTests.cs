using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

[TestClass]
public sealed class SampleLeaseTests
{
    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Lz4)]
    public void Get_ByName_SameValuesAsByIndex(CodecKind codec)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 50, TestData.Options(codec));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using SampleLease s = ds.ReadSample(13);

        CollectionAssert.AreEqual(TestData.Features(13), s.Get<float>("x").ToArray());
        Assert.AreEqual(13 * 3, s.Get<long>("label")[0]);
        CollectionAssert.AreEqual(TestData.Tokens(13), s.Get<int>("tokens").ToArray());
    }

    [TestMethod]
    public void Get_UnknownName_ThrowsKeyNotFound()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 10, TestData.Options());
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        using SampleLease s = ds.ReadSample(3);

        KeyNotFoundException e = Assert.ThrowsExactly<KeyNotFoundException>(() => s.Get<float>("X").Length);
        Assert.Contains("'X'", e.Message);
    }

    [TestMethod]
    public void Get_ByNameAfterDispose_ThrowsObjectDisposed()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 10, TestData.Options(CodecKind.Lz4));
        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        SampleLease s = ds.ReadSample(3);
        s.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => s.Get<float>("x").Length);
    }
}
