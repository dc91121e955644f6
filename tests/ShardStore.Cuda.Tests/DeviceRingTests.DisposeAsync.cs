using ShardStore.Cuda.Tests.Infrastructure;

namespace ShardStore.Cuda.Tests;

public sealed partial class DeviceRingTests
{
    [TestMethod]
    public async Task DisposeAsync_ProducerWaitsForACopy_ReturnsWithoutWaitingAndCompletesOnceTheProducerExits()
    {
        using var gate = new ManualResetEventSlim(false);
        HostBackend backend = HoldingCopiesFrom(4, gate);
        ShardLoader loader = ShardLoader.Create(Dataset, RingData.LoaderOptions(batchSize: 32));
        DeviceRing ring = CreateRing(loader, backend);
        DeviceBatch first = ring.Next()!;
        DeviceBatch second = ring.Next()!;
        Assert.IsFalse(second.IsReady, "the second batch's copy is held at the gate");

        // Stopping, the producer waits for the copy stream, which waits for the gate: a blocking dispose could not return
        // here. So that such a dispose fails the assertion below instead of hanging, the gate opens by itself after 30 s.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using CancellationTokenRegistration opener = bound.Token.Register(gate.Set);
        ValueTask disposing = ring.DisposeAsync();
        Assert.IsFalse(disposing.IsCompleted, "DisposeAsync completed while the producer still waited for a copy");

        gate.Set();
        Task done = disposing.AsTask();
        Assert.AreSame(done, await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(30))), "DisposeAsync did not complete within 30 s of the copy finishing");
        await done;
        Assert.ThrowsExactly<ObjectDisposedException>(() => ring.Next());
        Assert.AreEqual(0, backend.RegisteredRanges, "the loader's buffers are unregistered by DisposeAsync");
        first.Dispose();
        second.Dispose();
        await ring.DisposeAsync();
        AssertNothingLeaked(backend, loader);
    }
}
