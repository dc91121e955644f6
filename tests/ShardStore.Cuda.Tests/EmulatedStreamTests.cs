using ShardStore.Cuda.Internals;

namespace ShardStore.Cuda.Tests;

/// <summary>The host backend keeps the driver's ordering rules: stream order, events, cross-stream waits, sticky errors.</summary>
[TestClass]
public sealed unsafe class EmulatedStreamTests
{
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(20);

    [TestMethod]
    public void Record_EventCompletesWhenTheStreamReachesIt()
    {
        var backend = new HostBackend();
        using IDeviceStream stream = backend.CreateStream();
        using IDeviceEvent done = backend.CreateEvent();
        using var gate = new ManualResetEventSlim(false);
        Assert.IsTrue(backend.Query(done), "an event never recorded counts as complete");
        backend.LaunchHostWork(stream, gate.Wait);
        backend.Record(done, stream);
        Thread.Sleep(50);
        Assert.IsFalse(backend.Query(done));
        gate.Set();
        backend.Synchronize(done);
        Assert.IsTrue(backend.Query(done));
    }

    [TestMethod]
    public void Wait_SecondStreamRunsNothingUntilTheEventOfTheFirst()
    {
        var backend = new HostBackend();
        using IDeviceStream first = backend.CreateStream();
        using IDeviceStream second = backend.CreateStream();
        using IDeviceEvent produced = backend.CreateEvent();
        using var gate = new ManualResetEventSlim(false);
        var order = new List<string>();
        backend.LaunchHostWork(first, () =>
        {
            gate.Wait();
            lock (order)
            {
                order.Add("first");
            }
        });
        backend.Record(produced, first);
        backend.Wait(second, produced);
        backend.LaunchHostWork(second, () =>
        {
            lock (order)
            {
                order.Add("second");
            }
        });
        Thread.Sleep(50);
        lock (order)
        {
            Assert.AreEqual(0, order.Count, "the second stream waits on the device, not the host");
        }

        gate.Set();
        backend.Synchronize(second);
        CollectionAssert.AreEqual(new[] { "first", "second" }, order);
    }

    [TestMethod]
    public void Wait_ForARecordMadeLater_DoesNotWaitForIt()
    {
        var backend = new HostBackend();
        using IDeviceStream first = backend.CreateStream();
        using IDeviceStream second = backend.CreateStream();
        using IDeviceEvent e = backend.CreateEvent();
        using var gate = new ManualResetEventSlim(false);
        using var secondHeld = new ManualResetEventSlim(false);
        using var secondRan = new ManualResetEventSlim(false);
        try
        {
            // Like cuStreamWaitEvent: the wait is for the event's most recent record when it is issued (none here),
            // not for the record the first stream makes afterwards, which stays pending while the gate is closed.
            // The second stream is held until that record exists, so a wait that looked the record up only when it
            // ran would find it.
            backend.LaunchHostWork(second, secondHeld.Wait);
            backend.Wait(second, e);
            backend.LaunchHostWork(second, secondRan.Set);
            backend.LaunchHostWork(first, gate.Wait);
            backend.Record(e, first);
            secondHeld.Set();
            Assert.IsTrue(secondRan.Wait(s_hangLimit), $"the second stream ran nothing within {s_hangLimit}: its wait waited for a record made after it");
            Assert.IsFalse(backend.Query(e), "the later record is still pending behind the closed gate");
            ReturnsWithin(() => backend.Synchronize(second), "synchronizing the second stream while the first is held");
        }
        finally
        {
            secondHeld.Set();
            gate.Set();
        }

        ReturnsWithin(() => backend.Synchronize(first), "synchronizing the first stream after the gate opened");
        Assert.IsTrue(backend.Query(e), "the later record completes once the first stream reaches it");
    }

    [TestMethod]
    public void CopyHostToDeviceAsync_Fails_ErrorIsStickyOnTheStreamAndItsEvents()
    {
        var backend = new HostBackend { OnCopy = n => n == 1 ? new IOException("boom") : null };
        using IDeviceStream stream = backend.CreateStream();
        using IDeviceEvent after = backend.CreateEvent();
        using IDeviceAllocation memory = backend.Allocate(16);
        using IDeviceAllocation host = backend.Allocate(8);
        nint source = (nint)host.Pointer;
        *(long*)source = 42;
        backend.CopyHostToDeviceAsync(memory.Pointer, source, 8, stream);
        backend.CopyHostToDeviceAsync(memory.Pointer + 8, source, 8, stream);
        backend.Record(after, stream);
        Assert.ThrowsExactly<IOException>(() => backend.Synchronize(after));
        Assert.ThrowsExactly<IOException>(() => backend.Query(after));
        Assert.ThrowsExactly<IOException>(() => backend.Synchronize(stream));
        Assert.ThrowsExactly<IOException>(() => backend.CopyHostToDeviceAsync(memory.Pointer, source, 8, stream), "later calls fail at once");
        Assert.AreEqual(42L, *(long*)memory.Pointer, "the copy before the failure happened");
    }

    [TestMethod]
    public void Allocate_Dispose_CountsBackToZero()
    {
        var backend = new HostBackend();
        IDeviceAllocation a = backend.Allocate(1000);
        IDeviceAllocation b = backend.Allocate(24);
        Assert.AreEqual(1024L, backend.AllocatedBytes);
        Assert.AreEqual(0UL, a.Pointer % 256, "aligned like cuMemAlloc");
        a.Dispose();
        a.Dispose();
        b.Dispose();
        Assert.AreEqual(0L, backend.AllocatedBytes);
        Assert.AreEqual(0, backend.Allocations);
        Assert.AreEqual(1024L, backend.PeakAllocatedBytes);
    }

    [TestMethod]
    public void RegisterHost_SameRangeTwice_Throws()
    {
        var backend = new HostBackend();
        using IDisposable? r = backend.RegisterHost(4096, 4096, readOnly: false);
        Assert.ThrowsExactly<InvalidOperationException>(() => backend.RegisterHost(4096, 4096, readOnly: false));
        r!.Dispose();
        Assert.AreEqual(0, backend.RegisteredRanges);
    }

    // Runs a call that would block forever on a regression on another thread, failing the test if it has not
    // returned within the limit (the blocked thread is left behind).
    private static void ReturnsWithin(Action call, string what)
    {
        Task task = Task.Run(call);
        Assert.IsTrue(task.Wait(s_hangLimit), $"{what}: no return within {s_hangLimit}");
    }
}
