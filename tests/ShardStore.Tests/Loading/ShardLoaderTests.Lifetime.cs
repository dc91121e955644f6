using ShardStore.Compression;
using ShardStore.Tests.Infrastructure;
using ShardStore.Tests.Loading.Infrastructure;

namespace ShardStore.Tests.Loading;

public sealed partial class ShardLoaderTests
{
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(20);

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public void Dispose_WhileBatchesAreHeld_StopsWorkersAndFreesTheSlotsWhenTheBatchesAreDisposed(SampleOrder order)
    {
        ShardLoader loader = ShardLoader.Create(Mixed, LoaderHarness.Options(order, CoverageBatch) with { Epochs = null });
        var held = new List<Batch>();
        for (int i = 0; i < loader.SlotCount - 1; i++)
        {
            held.Add(loader.NextBatch() ?? throw new AssertFailedException("An endless loader ended."));
        }

        loader.Dispose();

        Assert.AreEqual(0, loader.RunningWorkers, "running workers right after Dispose");
        foreach (Batch b in held)
        {
            // A held batch's slot outlives the loader until the batch is disposed.
            LoaderHarness.AssertMixedValues(b);
        }

        Assert.IsGreaterThan(0L, loader.Statistics.MemoryInUseBytes, "the held batches' slots");
        foreach (Batch b in held)
        {
            b.Dispose();
            b.Dispose();
        }

        LoaderHarness.AssertReleased(loader, Mixed);
        Assert.ThrowsExactly<ObjectDisposedException>(() => held[0].SampleIndices.ToArray());
    }

    [TestMethod]
    [DataRow(SampleOrder.Window)]
    [DataRow(SampleOrder.Random)]
    public async Task DisposeAsync_WhileWorkersRunAndBatchesAreHeld_StopsWorkersAndFreesEverythingOnceTheBatchesAreDisposed(SampleOrder order)
    {
        ShardLoader loader = ShardLoader.Create(Mixed, LoaderHarness.Options(order, CoverageBatch) with { Epochs = null });
        Batch held = loader.NextBatch() ?? throw new AssertFailedException("An endless loader ended.");

        Task disposed = loader.DisposeAsync().AsTask();
        Assert.IsTrue(disposed.Wait(s_hangLimit), "DisposeAsync did not complete");
        await disposed;

        Assert.AreEqual(0, loader.RunningWorkers, "running workers after DisposeAsync");
        LoaderHarness.AssertMixedValues(held);
        held.Dispose();
        LoaderHarness.AssertReleased(loader, Mixed);
        await loader.DisposeAsync();
        Assert.ThrowsExactly<ObjectDisposedException>(() => loader.NextBatch());
    }

    [TestMethod]
    public void Dispose_WhileTheConsumerWaitsOnAnotherThread_WakesTheConsumerAndStopsEveryWorker()
    {
        using var dir = new TempDirectory();
        string path = LoaderHarness.WriteMixed(dir, 300, CodecKind.Lz4);
        using var gate = new GatedCodec();
        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = gate });
        Assert.AreEqual(CodecKind.Lz4, ds.GetEntry(0, 0).Codec, "the first batch needs a decode");
        ShardLoader loader = ShardLoader.Create(ds, LoaderHarness.Options(SampleOrder.Sequential, 16));
        Batch? received = null;
        Exception? error = null;
        var consumer = new Thread(() =>
        {
            try
            {
                received = loader.NextBatch();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        consumer.Start();

        // The workers are stuck in a decode, so no batch can be ready: the consumer must be waiting.
        Assert.IsTrue(
            SpinWait.SpinUntil(() => gate.Waiting > 0 && (consumer.ThreadState & ThreadState.WaitSleepJoin) != 0, s_hangLimit),
            "a worker reached the decode and the consumer blocked");
        var dispose = Task.Run(loader.Dispose);
        Assert.IsFalse(dispose.Wait(200), "Dispose waits for the workers, which are inside a decode");
        gate.Open();

        Assert.IsTrue(dispose.Wait(s_hangLimit), "Dispose returned");
        Assert.IsTrue(consumer.Join(s_hangLimit), "the consumer woke up");
        Assert.IsNull(error, $"the waiting consumer got {error}");
        if (received is not null)
        {
            // Dispose may have lost the race with a worker that finished its batch; that batch must be intact.
            LoaderHarness.AssertMixedValues(received);
            received.Dispose();
        }

        Assert.ThrowsExactly<ObjectDisposedException>(() => loader.NextBatch());
        LoaderHarness.AssertReleased(loader, ds);
    }

    [TestMethod]
    public async Task ReadAsync_TokenCancelledWhileBatchesAreReady_StopsTheStreamWithoutLeaks()
    {
        const int Limit = 40;
        using var cts = new CancellationTokenSource();
        ShardLoader loader = ShardLoader.Create(Mixed, LoaderHarness.Options(SampleOrder.Random, CoverageBatch) with { Epochs = null });
        int afterCancel = 0;
        OperationCanceledException? stopped = null;
        await using (loader)
        {
            IAsyncEnumerator<Batch> stream = loader.ReadAllAsync(cts.Token).GetAsyncEnumerator();
            await using (stream)
            {
                // A consumer slower than the workers, like a training step: the prefetched batches are always ready.
                for (int i = 0; i < 5; i++)
                {
                    Assert.IsTrue(await stream.MoveNextAsync(), $"batch {i}");
                    stream.Current.Dispose();
                    await Task.Delay(20, CancellationToken.None);
                }

                cts.Cancel();
                try
                {
                    // An endless run: only the cancellation (or the limit) ends this loop.
                    while (afterCancel < Limit && await stream.MoveNextAsync())
                    {
                        stream.Current.Dispose();
                        afterCancel++;
                        await Task.Delay(20, CancellationToken.None);
                    }
                }
                catch (OperationCanceledException e)
                {
                    stopped = e;
                }
            }
        }

        LoaderHarness.AssertReleased(loader, Mixed);
        Assert.IsNotNull(stopped, $"the stream yielded {afterCancel} batches after its token was cancelled and had not stopped");
        Assert.AreEqual(0, afterCancel, "batches the stream yielded after its token was cancelled");
    }

    [TestMethod]
    public void Dispose_Twice_IsHarmless()
    {
        ShardLoader loader = ShardLoader.Create(Mixed, LoaderHarness.Options(SampleOrder.Window, CoverageBatch));
        using (Batch batch = loader.NextBatch() ?? throw new AssertFailedException("no batch"))
        {
            LoaderHarness.AssertMixedValues(batch);
        }

        loader.Dispose();
        loader.Dispose();
        loader.DisposeAsync().AsTask().GetAwaiter().GetResult();

        LoaderHarness.AssertReleased(loader, Mixed);
    }

    [TestMethod]
    public void Dispose_BeforeTheFirstBatch_StartsNoWorkerAndFreesTheSlots()
    {
        ShardLoader loader = ShardLoader.Create(Mixed, LoaderHarness.Options(SampleOrder.Window, CoverageBatch));
        Assert.IsGreaterThan(0L, loader.Statistics.MemoryInUseBytes, "slots are allocated at Create");

        loader.Dispose();

        LoaderHarness.AssertReleased(loader, Mixed);
        Assert.AreEqual(0L, loader.Statistics.Batches);
    }

    [TestMethod]
    public void NextBatch_AfterDispose_ThrowsObjectDisposedException()
    {
        ShardLoader loader = ShardLoader.Create(Mixed, LoaderHarness.Options(SampleOrder.Sequential, CoverageBatch));
        loader.NextBatch()?.Dispose();
        loader.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => loader.NextBatch());
    }

    [TestMethod]
    public async Task ReadAsync_AfterDispose_ThrowsObjectDisposedException()
    {
        ShardLoader loader = ShardLoader.Create(Mixed, LoaderHarness.Options(SampleOrder.Sequential, CoverageBatch));
        loader.Dispose();

        await Assert.ThrowsExactlyAsync<ObjectDisposedException>(async () =>
        {
            await foreach (Batch batch in loader.ReadAllAsync())
            {
                batch.Dispose();
            }
        });
    }
}
