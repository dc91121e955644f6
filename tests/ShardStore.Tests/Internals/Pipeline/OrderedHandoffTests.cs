using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ShardStore.Internals.Pipeline;

namespace ShardStore.Tests.Internals.Pipeline;

[TestClass]
public sealed class OrderedHandoffTests
{
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(20);

    [TestMethod]
    public void Publish_OutOfOrder_TakenInSequenceOrder()
    {
        var published = new List<int>();
        var handoff = new OrderedHandoff<Item>(capacity: 8, singleProducer: false, discard: _ => Assert.Fail("nothing is discarded"))
        {
            Published = item => published.Add(item.Number),
        };

        handoff.Publish(2, new Item(2));
        handoff.Publish(1, new Item(1));
        Assert.IsFalse(handoff.TryTake(out Item? early), "sequence 0 has not arrived");
        Assert.IsNull(early);
        Assert.IsEmpty(published, "nothing leaves the reorder buffer ahead of its turn");
        handoff.Publish(0, new Item(0));
        handoff.Complete(3);

        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, Drain(handoff));
        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, published, "Published runs in sequence order");
        Assert.IsTrue(handoff.IsFinished);
    }

    [TestMethod]
    public void Complete_AfterItems_EveryLaterTakeSeesTheEnd()
    {
        var handoff = new OrderedHandoff<Item>(capacity: null, singleProducer: true, discard: _ => Assert.Fail("nothing is discarded"));
        handoff.Complete(1);
        handoff.Publish(0, new Item(0));

        Assert.AreEqual(0, Take(handoff)?.Number);
        Assert.IsFalse(handoff.IsFinished, "the end is not seen before it is taken");
        Assert.IsNull(Take(handoff));
        Assert.IsTrue(handoff.IsFinished);
        Assert.IsTrue(handoff.TryTake(out Item? again), "the end is ready at once");
        Assert.IsNull(again);
        Assert.IsNull(Take(handoff));
    }

    [TestMethod]
    public void Fail_AfterItems_ItemsThenTheSameFailureOnEveryTake()
    {
        var handoff = new OrderedHandoff<Item>(capacity: 8, singleProducer: false, discard: _ => { });
        var failure = new IOException("chunk 7 is corrupt");
        handoff.Fail(1, ExceptionDispatchInfo.Capture(failure));
        handoff.Publish(0, new Item(0));

        Assert.AreEqual(0, Take(handoff)?.Number, "items before the failure come first");
        handoff.ThrowIfFailed();
        Assert.AreSame(failure, Assert.ThrowsExactly<IOException>(() => Take(handoff)));
        Assert.AreSame(failure, Assert.ThrowsExactly<IOException>(() => handoff.TryTake(out _)), "the failure repeats");
        Assert.AreSame(failure, Assert.ThrowsExactly<IOException>(() => Take(handoff)));
        Assert.AreSame(failure, Assert.ThrowsExactly<IOException>(handoff.ThrowIfFailed));
        Assert.IsFalse(handoff.IsFinished, "a failed stream did not end");
    }

    [TestMethod]
    public void Publish_AfterTheEndOrAFailure_DiscardedOnce()
    {
        foreach (bool fail in new[] { false, true })
        {
            var discarded = new List<int>();
            var handoff = new OrderedHandoff<Item>(capacity: 8, singleProducer: false, discard: item => discarded.Add(item.Number));
            if (fail)
            {
                handoff.Fail(0, ExceptionDispatchInfo.Capture(new IOException("boom")));
            }
            else
            {
                handoff.Complete(0);
            }

            handoff.Publish(2, new Item(2));
            handoff.Publish(1, new Item(1));

            CollectionAssert.AreEqual(new[] { 1, 2 }, discarded, $"fail {fail}: items past the end");
            if (fail)
            {
                Assert.ThrowsExactly<IOException>(() => Take(handoff));
            }
            else
            {
                Assert.IsNull(Take(handoff));
            }
        }
    }

    [TestMethod]
    public void Close_ItemsQueuedPendingAndLate_EachDiscardedExactlyOnce()
    {
        var discarded = new List<int>();
        var handoff = new OrderedHandoff<Item>(capacity: 8, singleProducer: false, discard: item =>
        {
            lock (discarded)
            {
                discarded.Add(item.Number);
            }
        });
        handoff.Publish(0, new Item(0));
        handoff.Publish(1, new Item(1));
        handoff.Publish(3, new Item(3));
        Assert.AreEqual(0, Take(handoff)?.Number);

        handoff.Close();

        CollectionAssert.AreEquivalent(new[] { 1, 3 }, discarded, "the item waiting for the consumer and the one waiting for its turn");
        Assert.IsNull(Take(handoff), "the consumer sees the end");
        Assert.IsTrue(handoff.IsFinished);
        handoff.Publish(2, new Item(2));
        CollectionAssert.AreEquivalent(new[] { 1, 2, 3 }, discarded, "an item handed in after Close");
        handoff.Close();
        Assert.HasCount(3, discarded, "a second Close discards nothing again");
    }

    [TestMethod]
    public void Publish_AfterCloseBeyondAGap_DiscardedAtOnce()
    {
        var discarded = new List<int>();
        var handoff = new OrderedHandoff<Item>(capacity: 8, singleProducer: false, discard: item => discarded.Add(item.Number));
        handoff.Publish(0, new Item(0));
        handoff.Close();

        handoff.Publish(5, new Item(5));

        CollectionAssert.AreEqual(new[] { 0, 5 }, discarded, "an item whose turn would never come is not kept pending");
    }

    [TestMethod]
    public void Close_ConsumerWaiting_ItSeesTheEnd()
    {
        var handoff = new OrderedHandoff<Item>(capacity: 8, singleProducer: false, discard: _ => { });
        ValueTask<Item?> take = handoff.TakeAsync(CancellationToken.None);
        Assert.IsFalse(take.IsCompleted, "nothing was handed in");

        handoff.Close();

        Task<Item?> task = take.AsTask();
        Assert.IsTrue(task.Wait(s_hangLimit), $"the waiting consumer did not wake within {s_hangLimit}");
        Assert.IsNull(task.Result);
        Assert.IsTrue(handoff.IsFinished);
    }

    [TestMethod]
    public void TakeAsync_ItemHandedInWhileWaiting_ReturnsItAndCountsTheWait()
    {
        var waits = new List<long>();
        var handoff = new OrderedHandoff<Item>(capacity: 8, singleProducer: false, discard: _ => { }, waited: waits.Add);
        ValueTask<Item?> take = handoff.TakeAsync(CancellationToken.None);
        Assert.IsFalse(take.IsCompleted, "nothing was handed in");
        Assert.AreEqual(TimeSpan.Zero, handoff.WaitTime, "no wait is counted before it ends");

        handoff.Publish(0, new Item(0));

        Task<Item?> task = take.AsTask();
        Assert.IsTrue(task.Wait(s_hangLimit), $"the waiting consumer did not get the item within {s_hangLimit}");
        Assert.AreEqual(0, task.Result?.Number);
        Assert.HasCount(1, waits, "one wait reported");
        Assert.IsGreaterThan(TimeSpan.Zero, handoff.WaitTime);
        Assert.AreEqual(Stopwatch.GetElapsedTime(0, waits[0]), handoff.WaitTime, "the wait time is the sum of the waits reported");
    }

    [TestMethod]
    public void Take_ItemAlreadyThere_CountsNoWait()
    {
        var waits = new List<long>();
        var handoff = new OrderedHandoff<Item>(capacity: 8, singleProducer: false, discard: _ => { }, waited: waits.Add);
        handoff.Publish(0, new Item(0));
        handoff.Publish(1, new Item(1));

        Assert.AreEqual(0, Take(handoff)?.Number);
        Task<Item?> take = handoff.TakeAsync(CancellationToken.None).AsTask();
        Assert.IsTrue(take.IsCompleted, "an item that is there is returned at once");
        Assert.AreEqual(1, take.Result?.Number);

        Assert.AreEqual(TimeSpan.Zero, handoff.WaitTime);
        Assert.IsEmpty(waits);
    }

    [TestMethod]
    public void Take_Cancelled_ThrowsAndLeavesTheStreamAsItWas()
    {
        var handoff = new OrderedHandoff<Item>(capacity: 8, singleProducer: false, discard: _ => Assert.Fail("nothing is discarded"));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        // The channel reports cancellation as a TaskCanceledException, an OperationCanceledException.
        Assert.Throws<OperationCanceledException>(() => handoff.Take(cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => handoff.TakeAsync(cancelled.Token).AsTask().GetAwaiter().GetResult());

        handoff.Publish(0, new Item(0));
        handoff.Complete(1);
        CollectionAssert.AreEqual(new[] { 0 }, Drain(handoff));
    }

    [TestMethod]
    public void Take_ProducersOnManyThreads_EveryItemOnceInOrder()
    {
        const int Count = 2000;
        var handoff = new OrderedHandoff<Item>(capacity: null, singleProducer: false, discard: _ => Assert.Fail("nothing is discarded"));
        Task producers = Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (int s = worker; s < Count; s += 4)
            {
                handoff.Publish(s, new Item(s));
            }
        })));
        Task<List<int>> consumer = Task.Run(() => Drain(handoff));
        Assert.IsTrue(producers.Wait(s_hangLimit), $"the producers did not finish within {s_hangLimit}");
        handoff.Complete(Count);

        Assert.IsTrue(consumer.Wait(s_hangLimit), $"the consumer did not see the end within {s_hangLimit}");
        CollectionAssert.AreEqual(Enumerable.Range(0, Count).ToArray(), consumer.Result);
    }

    private static List<int> Drain(OrderedHandoff<Item> handoff)
    {
        var numbers = new List<int>();
        while (Take(handoff) is { } item)
        {
            numbers.Add(item.Number);
        }

        return numbers;
    }

    // Takes the next item or the end, waiting for it at most the hang limit.
    private static Item? Take(OrderedHandoff<Item> handoff)
    {
        using var limit = new CancellationTokenSource(s_hangLimit);
        try
        {
            return handoff.Take(limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            throw new AssertFailedException($"no item and no end within {s_hangLimit}");
        }
    }

    private sealed record Item(int Number);
}
