using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests;

/// <summary>A device batch's field accessors.</summary>
[TestClass]
public sealed class DeviceBatchTests
{
    private static TempDirectory s_dir = null!;
    private static ShardDataset s_dataset = null!;

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        s_dataset = RingData.Open(RingData.Write(s_dir, 100));
    }

    [ClassCleanup]
    public static void ClassCleanup()
    {
        s_dataset.Dispose();
        s_dir.Dispose();
    }

    [TestMethod]
    public void GetField_ByName_SameFieldAsByIndex()
    {
        using ShardLoader loader = ShardLoader.Create(s_dataset, RingData.LoaderOptions(batchSize: 32));
        using DeviceRing ring = DeviceRingTests.CreateRing(loader, new HostBackend());
        using DeviceBatch batch = ring.Next()!;

        for (int f = 0; f < batch.Schema.Count; f++)
        {
            DeviceField byIndex = batch.GetField(f);
            DeviceField byName = batch.GetField(batch.Schema[f].Name);
            Assert.AreEqual(batch.Schema[f].Name, byName.Name);
            Assert.AreEqual(byIndex.Pointer, byName.Pointer, $"values of '{byName.Name}'");
            Assert.AreEqual(byIndex.ByteLength, byName.ByteLength, $"length of '{byName.Name}'");
            Assert.AreEqual(byIndex.OffsetsPointer, byName.OffsetsPointer, $"offsets of '{byName.Name}'");
            CollectionAssert.AreEqual(byIndex.Shape.ToArray(), byName.Shape.ToArray(), $"shape of '{byName.Name}'");
        }
    }

    [TestMethod]
    public void GetField_UnknownName_ThrowsKeyNotFoundNamingIt()
    {
        using ShardLoader loader = ShardLoader.Create(s_dataset, RingData.LoaderOptions(batchSize: 32));
        using DeviceRing ring = DeviceRingTests.CreateRing(loader, new HostBackend());
        using DeviceBatch batch = ring.Next()!;

        KeyNotFoundException e = Assert.ThrowsExactly<KeyNotFoundException>(() => batch.GetField("pixels"));
        StringAssert.Contains(e.Message, "'pixels'");
    }
}
