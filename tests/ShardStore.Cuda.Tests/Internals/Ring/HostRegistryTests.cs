using ShardStore.Cuda.Internals.Ring;
using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests.Internals.Ring;

/// <summary>Page-locking the loader's slot buffers: once each, again after the loader replaced one, and none left after dispose.</summary>
[TestClass]
public sealed class HostRegistryTests
{
    private static TempDirectory s_dir = null!;
    private static ShardDataset s_dataset = null!;

    [ClassInitialize]
    public static void ClassInitialize(TestContext context)
    {
        s_dir = new TempDirectory();
        s_dataset = RingData.Open(RingData.WriteWithLongSamples(s_dir));
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
    public void OnBufferFreeing_LoaderGrowsABuffer_UnregistersItBeforeTheFreeAndRegisterPageLocksTheNewOne()
    {
        using ShardLoader loader = ShardLoader.Create(s_dataset, LoaderOptions());
        var backend = new HostBackend();
        using var registry = new HostRegistry(backend);
        RegisterAll(registry, loader);
        int registered = registry.Count;
        Dictionary<(int, int, bool), PinnedSlotBuffer> before = Snapshot(loader);
        var freed = new List<(nint Pointer, bool RegisteredBefore, bool RegisteredAfter)>();
        using var consumer = new Consumer();
        loader.AttachConsumer(consumer, pointer =>
        {
            bool registeredBefore = backend.IsRegistered(pointer);
            registry.OnBufferFreeing(pointer);
            lock (freed)
            {
                freed.Add((pointer, registeredBefore, backend.IsRegistered(pointer)));
            }
        });

        while (loader.NextBatch() is { } batch)
        {
            batch.Dispose();
        }

        loader.DetachConsumer(consumer);
        Dictionary<(int, int, bool), PinnedSlotBuffer> after = Snapshot(loader);
        int replaced = before.Count(b => after[b.Key] != b.Value);
        Assert.IsTrue(replaced > 0, "the long samples make the loader replace a tokens buffer by a larger one");
        Assert.IsTrue(freed.Count >= replaced, $"{freed.Count} callbacks for {replaced} replaced buffers");
        Assert.IsTrue(freed.Where(f => before.Values.Any(b => b.Pointer == f.Pointer)).All(f => f.RegisteredBefore), "a registered buffer is still registered when the loader announces its free");
        Assert.IsTrue(freed.All(f => !f.RegisteredAfter), "the callback unregisters the buffer before the loader frees it");
        Assert.AreEqual(registered - replaced, registry.Count, "each replaced buffer is unregistered");
        Assert.AreEqual(registry.Count, backend.RegisteredRanges);

        RegisterAll(registry, loader);
        Assert.AreEqual(registered, registry.Count, "the new buffers are registered");
        Assert.AreEqual(registered, backend.RegisteredRanges);
    }

    [TestMethod]
    public void Register_RangeAlreadyRegisteredElsewhere_CountsTheRefusalOncePerBuffer()
    {
        using ShardLoader loader = ShardLoader.Create(s_dataset, LoaderOptions());
        var backend = new HostBackend();
        using var registry = new HostRegistry(backend);
        backend.PinElsewhere(loader.DangerousGetSlotBuffer(0, 0).Pointer);

        RegisterAll(registry, loader);
        RegisterAll(registry, loader);

        Assert.AreEqual(1, registry.Refused, "the refusal is counted, and not retried while the buffer is the same");
        Assert.AreEqual((loader.SlotCount * 4) - 1, registry.Count);
        Assert.AreEqual(registry.Count, backend.RegisteredRanges);
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

    private sealed class Consumer : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
