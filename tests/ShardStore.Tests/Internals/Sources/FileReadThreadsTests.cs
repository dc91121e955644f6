using ShardStore.Internals.Sources;

namespace ShardStore.Tests.Internals.Sources;

[TestClass]
public sealed class FileReadThreadsTests
{
    private static readonly TimeSpan s_bounded = TimeSpan.FromSeconds(20);

    [TestMethod]
    public void Run_AsManyReadsAsThreads_AllInFlightAtOnce()
    {
        const int Threads = 4;
        using var reads = new FileReadThreads(Threads, "test reads");
        using var allIn = new CountdownEvent(Threads);
        using var release = new ManualResetEventSlim();

        Task<int>[] running = [.. Enumerable.Range(0, Threads).Select(i => reads.Run(() =>
        {
            allIn.Signal();
            Assert.IsTrue(release.Wait(s_bounded), "released");
            return i;
        }))];

        Assert.IsTrue(allIn.Wait(s_bounded), $"{Threads} blocking reads run at the same time");
        release.Set();
        Assert.IsTrue(Task.WaitAll(running, s_bounded));
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, running.Select(t => t.Result).ToArray());
    }

    [TestMethod]
    public void Run_ReadThrows_TheTaskCarriesTheException()
    {
        using var reads = new FileReadThreads(1, "test reads");

        Task<int> failing = reads.Run(() => throw new IOException("bad sector"));

        var e = Assert.ThrowsExactly<AggregateException>(() => failing.Wait(s_bounded));
        Assert.IsInstanceOfType<IOException>(e.InnerException);
        Task<int> next = reads.Run(() => 7);
        Assert.IsTrue(next.Wait(s_bounded), "the thread goes on after a failed read");
        Assert.AreEqual(7, next.Result);
    }

    [TestMethod]
    public void Run_AfterDispose_ThrowsObjectDisposed()
    {
        var reads = new FileReadThreads(1, "test reads");
        Assert.IsTrue(reads.Run(() => 1).Wait(s_bounded));

        reads.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => reads.Run(() => 1));
    }
}
