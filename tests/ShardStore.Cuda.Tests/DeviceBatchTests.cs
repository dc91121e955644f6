using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests;

/// <summary>A device batch's field accessors.</summary>
[TestClass]
public sealed class DeviceBatchTests
{
    private static RingDataset s_data = null!;

    private static ShardDataset Dataset => s_data.Dataset;

    [ClassInitialize]
    public static void ClassInitialize(TestContext context) => s_data = new RingDataset(100);

    [ClassCleanup]
    public static void ClassCleanup() => s_data.Dispose();

    [TestMethod]
    public void GetField_ByName_SameFieldAsByIndex()
    {
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
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
        using ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        using DeviceRing ring = DeviceRingTests.CreateRing(loader, new HostBackend());
        using DeviceBatch batch = ring.Next()!;

        KeyNotFoundException e = Assert.ThrowsExactly<KeyNotFoundException>(() => batch.GetField("pixels"));
        StringAssert.Contains(e.Message, "'pixels'");
    }
}
