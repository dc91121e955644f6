using ShardStore.Codecs;
using ShardStore.Cuda.Internals.Ring;
using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests.Internals.Ring;

/// <summary>Page-locking the loader's slot buffers: once each, again after the loader replaced one, and none left after dispose.</summary>
[TestClass]
public sealed class HostRegistryTests
{
    // Samples 20 to 23 hold 20,000 tokens each: a batch of four of them outgrows the loader's initial 64 KiB tokens buffer.
    private const int LongTokens = 20_000;
    private static TempDirectory s_dir = null!;
    private static ShardDataset s_dataset = null!;

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        s_dataset = RingData.Open(WriteWithLongSamples(s_dir));
    }

    [ClassCleanup]
    public static void ClassCleanup()
    {
        s_dataset.Dispose();
        s_dir.Dispose();
    }

    [TestMethod]
    public void Register_EverySlotTwice_PageLocksEachBufferOnce()
    {
        using ShardLoader loader = ShardLoader.Create(s_dataset, LoaderOptions());
        var backend = new HostBackend();
        using var registry = new HostRegistry(backend);
        RegisterAll(registry, loader);
        RegisterAll(registry, loader);

        // Per slot: x, label, and the tokens' values and offsets.
        Assert.AreEqual(loader.SlotCount * 4, registry.Count);
        Assert.AreEqual(registry.Count, backend.RegisteredRanges, "one registration per buffer");
    }

    [TestMethod]
    public void DropStale_NothingReplaced_KeepsEveryRegistration()
    {
        using ShardLoader loader = ShardLoader.Create(s_dataset, LoaderOptions());
        var backend = new HostBackend();
        using var registry = new HostRegistry(backend);
        RegisterAll(registry, loader);
        int registered = registry.Count;

        registry.DropStale(loader);

        Assert.AreEqual(registered, registry.Count);
        Assert.AreEqual(registered, backend.RegisteredRanges);
    }

    [TestMethod]
    public void DropStale_LoaderReplacedABuffer_UnregistersItAndRegisterPageLocksTheNewOne()
    {
        using ShardLoader loader = ShardLoader.Create(s_dataset, LoaderOptions());
        var backend = new HostBackend();
        using var registry = new HostRegistry(backend);
        RegisterAll(registry, loader);
        int registered = registry.Count;
        Dictionary<(int, int, bool), PinnedSlotBuffer> before = Snapshot(loader);

        while (loader.NextBatch() is { } batch)
        {
            batch.Dispose();
        }

        Dictionary<(int, int, bool), PinnedSlotBuffer> after = Snapshot(loader);
        int replaced = before.Count(b => after[b.Key] != b.Value);
        Assert.IsTrue(replaced > 0, "the long samples make the loader replace a tokens buffer by a larger one");

        registry.DropStale(loader);
        Assert.AreEqual(registered - replaced, registry.Count, "each replaced buffer is dropped");
        Assert.AreEqual(registry.Count, backend.RegisteredRanges, "dropped buffers are unregistered");

        RegisterAll(registry, loader);
        Assert.AreEqual(registered, registry.Count, "the new buffers are registered");
        Assert.AreEqual(registered, backend.RegisteredRanges);
    }

    [TestMethod]
    public void Dispose_AfterRegistering_UnregistersEverythingAndIsHarmlessTwice()
    {
        using ShardLoader loader = ShardLoader.Create(s_dataset, LoaderOptions());
        var backend = new HostBackend();
        var registry = new HostRegistry(backend);
        RegisterAll(registry, loader);
        Assert.IsTrue(backend.RegisteredRanges > 0, "something was registered");

        registry.Dispose();
        registry.Dispose();

        Assert.AreEqual(0, registry.Count);
        Assert.AreEqual(0, backend.RegisteredRanges, "host ranges still page-locked");
    }

    private static ShardLoaderOptions LoaderOptions() => RingData.LoaderOptions(batchSize: 4, order: SampleOrder.Sequential);

    private static void RegisterAll(HostRegistry registry, ShardLoader loader)
    {
        for (int slot = 0; slot < loader.SlotCount; slot++)
        {
            registry.Register(loader, slot);
        }
    }

    private static Dictionary<(int, int, bool), PinnedSlotBuffer> Snapshot(ShardLoader loader)
    {
        var buffers = new Dictionary<(int, int, bool), PinnedSlotBuffer>();
        Schema schema = loader.Dataset.Schema;
        for (int slot = 0; slot < loader.SlotCount; slot++)
        {
            for (int field = 0; field < schema.Count; field++)
            {
                buffers[(slot, field, false)] = loader.DangerousGetSlotBuffer(slot, field);
                if (schema[field].IsVariable)
                {
                    buffers[(slot, field, true)] = loader.DangerousGetSlotBuffer(slot, field, offsets: true);
                }
            }
        }

        return buffers;
    }

    private static string WriteWithLongSamples(TempDirectory dir)
    {
        string path = dir.Combine("long");
        using DatasetWriter writer = DatasetWriter.Create(path, RingData.Schema, new DatasetWriterOptions
        {
            Codecs = NativeCodecs.Provider,
            ChunkTargetBytes = 64 << 10,
            ShardTargetBytes = 1 << 20,
            Threads = 1,
        });
        for (int i = 0; i < 40; i++)
        {
            writer.Write<float>(0, [.. Enumerable.Range(0, 12).Select(k => (i * 12) + k + 0.5f)]);
            writer.WriteScalar(1, (long)i);
            writer.Write<int>(2, [.. Enumerable.Range(0, i is >= 20 and < 24 ? LongTokens : i % 7)]);
            writer.EndSample();
        }

        writer.Complete();
        return path;
    }
}
