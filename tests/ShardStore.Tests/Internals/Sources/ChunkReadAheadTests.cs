using System.Buffers;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Sources;

namespace ShardStore.Tests.Internals.Sources;

[TestClass]
public sealed class ChunkReadAheadTests
{
    private const int Align = FormatConstants.ChunkAlignment;
    private static readonly TimeSpan s_bounded = TimeSpan.FromSeconds(20);

    // A "shard" of 64 KiB whose every byte says where it is.
    private static readonly byte[] s_shard = [.. Enumerable.Range(0, 64 << 10).Select(i => (byte)(i * 7 + (i >> 8)))];

    [TestMethod]
    public void Start_AdjacentChunks_OneReadPerRunAndEachChunkTakenWithItsBytes()
    {
        var buffers = new CountingBuffers();
        var reads = new List<(long Offset, int Length)>();
        using var ahead = new ChunkReadAhead(1 << 20, 1 << 20, 1, buffers.Rent);
        (int, ChunkEntry)[] chunks = [Chunk(0, 0, 1000), Chunk(1, Align, 3000), Chunk(2, 2 * Align, 100), Chunk(5, 6 * Align, 500)];

        ahead.Start(7, chunks, (offset, destination, _) => CopyFromShard(reads, offset, destination));

        CollectionAssert.AreEqual(new[] { (0L, (2 * Align) + 100), (6L * Align, 500) }, reads, "chunks 0-2 in one request, chunk 5 in another");
        Assert.AreEqual(1000L + 3000 + 100 + 500, ahead.HeldBytes);
        foreach ((int chunk, ChunkEntry entry) in chunks)
        {
            byte[] destination = new byte[entry.StoredSize];
            Assert.IsTrue(ahead.TryTake(7, chunk, destination), $"chunk {chunk} is held");
            CollectionAssert.AreEqual(s_shard.AsSpan((int)entry.Offset, (int)entry.StoredSize).ToArray(), destination, $"chunk {chunk}'s bytes");
            Assert.IsFalse(ahead.TryTake(7, chunk, destination), $"chunk {chunk} is handed out once");
        }

        Assert.AreEqual(0L, ahead.HeldBytes);
        Assert.AreEqual(4L, ahead.ChunksTaken);
        Assert.AreEqual(0, buffers.Outstanding, "every run's buffer went back once its chunks were taken");
    }

    [TestMethod]
    public void TryBorrow_HeldChunk_BytesInPlaceUntilDisposed()
    {
        var buffers = new CountingBuffers();
        using var ahead = new ChunkReadAhead(1 << 20, 1 << 20, 1, buffers.Rent);
        ahead.Start(0, [Chunk(0, 0, 300), Chunk(1, Align, 200)], (offset, destination, _) => CopyFromShard([], offset, destination));

        Assert.IsTrue(ahead.TryBorrow(0, 1, out BorrowedChunk borrowed));
        using (borrowed)
        {
            CollectionAssert.AreEqual(s_shard.AsSpan(Align, 200).ToArray(), borrowed.Bytes.ToArray());
            Assert.IsTrue(ahead.TryTake(0, 0, new byte[300]), "the other chunk of the run is still handed out");
            Assert.AreEqual(1, buffers.Outstanding, "the run's buffer stays while a chunk is lent");
        }

        Assert.AreEqual(0, buffers.Outstanding, "returned when the lent chunk is disposed");
        Assert.IsFalse(ahead.TryBorrow(0, 1, out _), "lent once");
        Assert.AreEqual(2L, ahead.ChunksTaken);
    }

    [TestMethod]
    public void Start_LengthAlignment_RoundsEachRequestUp()
    {
        var reads = new List<(long Offset, int Length)>();
        using var ahead = new ChunkReadAhead(1 << 20, 1 << 20, Align, new CountingBuffers().Rent);

        ahead.Start(0, [Chunk(3, 3 * Align, 10)], (offset, destination, _) => CopyFromShard(reads, offset, destination));

        CollectionAssert.AreEqual(new[] { (3L * Align, Align) }, reads);
    }

    [TestMethod]
    public void Start_RunLongerThanTheLimit_SplitIntoSeveralRequests()
    {
        var reads = new List<(long Offset, int Length)>();
        using var ahead = new ChunkReadAhead(1 << 20, 2 * Align, 1, new CountingBuffers().Rent);

        ahead.Start(0, [Chunk(0, 0, Align), Chunk(1, Align, Align), Chunk(2, 2 * Align, Align)], (offset, destination, _) => CopyFromShard(reads, offset, destination));

        CollectionAssert.AreEqual(new[] { (0L, 2 * Align), (2L * Align, Align) }, reads);
    }

    [TestMethod]
    public void Start_BeyondTheBudget_LaterChunksAreNotHeld()
    {
        var reads = new List<(long Offset, int Length)>();
        using var ahead = new ChunkReadAhead(5000, 1 << 20, 1, new CountingBuffers().Rent);

        ahead.Start(0, [Chunk(0, 0, 3000), Chunk(2, 2 * Align, 3000), Chunk(4, 4 * Align, 1000)], (offset, destination, _) => CopyFromShard(reads, offset, destination));

        Assert.HasCount(1, reads, "the second chunk would pass the budget, so reading ahead stops there");
        Assert.IsTrue(ahead.Holds(0, 0));
        Assert.IsFalse(ahead.Holds(0, 2));
        Assert.IsFalse(ahead.Holds(0, 4));
        Assert.AreEqual(3000L, ahead.HeldBytes);
    }

    [TestMethod]
    public void Start_ChunkAlreadyHeld_NotReadAgain()
    {
        var reads = new List<(long Offset, int Length)>();
        using var ahead = new ChunkReadAhead(1 << 20, 1 << 20, 1, new CountingBuffers().Rent);
        ahead.Start(0, [Chunk(1, Align, 100)], (offset, destination, _) => CopyFromShard(reads, offset, destination));

        ahead.Start(0, [Chunk(1, Align, 100), Chunk(3, 3 * Align, 100)], (offset, destination, _) => CopyFromShard(reads, offset, destination));

        CollectionAssert.AreEqual(new[] { ((long)Align, 100), (3L * Align, 100) }, reads);
        Assert.AreEqual(200L, ahead.HeldBytes);
    }

    [TestMethod]
    public void TryTake_ReadFailed_FalseAndTheChunkIsForgotten()
    {
        var buffers = new CountingBuffers();
        using var ahead = new ChunkReadAhead(1 << 20, 1 << 20, 1, buffers.Rent);
        var reading = new TaskCompletionSource<int>();
        ahead.Start(0, [Chunk(0, 0, 100), Chunk(1, Align, 100)], (_, _, _) => reading.Task);
        byte[] destination = new byte[100];
        Task<bool> taking = Task.Run(() => ahead.TryTake(0, 0, destination));

        reading.SetException(new IOException("the disk failed"));

        Assert.IsTrue(taking.Wait(s_bounded), "the take waits for the read and then returns");
        Assert.IsFalse(taking.Result, "a failed read hands nothing out");
        Assert.IsFalse(ahead.Holds(0, 1), "the other chunk of the failed run is forgotten");
        Assert.AreEqual(0L, ahead.HeldBytes);
        Assert.AreEqual(0, buffers.Outstanding);
    }

    [TestMethod]
    public void TryTake_ReadCameShort_False()
    {
        using var ahead = new ChunkReadAhead(1 << 20, 1 << 20, 1, new CountingBuffers().Rent);
        ahead.Start(0, [Chunk(0, 0, 100), Chunk(1, Align, 100)], (_, destination, _) => Task.FromResult(Align + 50));

        Assert.IsTrue(ahead.TryTake(0, 0, new byte[100]), "the first chunk was read whole");
        Assert.IsFalse(ahead.TryTake(0, 1, new byte[100]), "the file ended inside the second chunk: the read reads it itself and reports that");
    }

    [TestMethod]
    public void Drop_ReadStillRunning_BufferReturnedWhenTheReadEnds()
    {
        var buffers = new CountingBuffers();
        using var ahead = new ChunkReadAhead(1 << 20, 1 << 20, 1, buffers.Rent);
        var reading = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        ahead.Start(0, [Chunk(0, 0, 100)], (_, _, _) => reading.Task);

        ahead.Drop();
        Assert.AreEqual(0L, ahead.HeldBytes);
        Assert.IsFalse(ahead.Holds(0, 0));
        Assert.AreEqual(1, buffers.Outstanding, "the read still writes into its buffer");

        reading.SetResult(100);
        Assert.IsTrue(SpinWait.SpinUntil(() => buffers.Outstanding == 0, s_bounded), "the buffer goes back when the read ends");
    }

    [TestMethod]
    public void Dispose_ReadsAskedToStopAndLaterStartsDoNothing()
    {
        var ahead = new ChunkReadAhead(1 << 20, 1 << 20, 1, new CountingBuffers().Rent);
        CancellationToken seen = default;
        ahead.Start(0, [Chunk(0, 0, 100)], (_, _, token) =>
        {
            seen = token;
            return new TaskCompletionSource<int>().Task;
        });

        ahead.Dispose();
        bool startedAfter = false;
        ahead.Start(0, [Chunk(1, Align, 100)], (_, _, _) =>
        {
            startedAfter = true;
            return Task.FromResult(100);
        });

        Assert.IsTrue(seen.IsCancellationRequested);
        Assert.IsFalse(startedAfter);
        Assert.AreEqual(0L, ahead.HeldBytes);
    }

    private static (int, ChunkEntry) Chunk(int chunk, long offset, long stored) =>
        (chunk, new ChunkEntry(offset, stored, stored, 0, 1, CodecKind.None, 0));

    private static Task<int> CopyFromShard(List<(long Offset, int Length)> reads, long offset, Memory<byte> destination)
    {
        reads.Add((offset, destination.Length));
        int length = (int)Math.Min(destination.Length, s_shard.Length - offset);
        s_shard.AsSpan((int)offset, length).CopyTo(destination.Span);
        return Task.FromResult(length);
    }

    private sealed class CountingBuffers
    {
        private int _outstanding;

        public int Outstanding => Volatile.Read(ref _outstanding);

        public IMemoryOwner<byte> Rent(int length)
        {
            Interlocked.Increment(ref _outstanding);
            return new Owner(this, new byte[length]);
        }

        private sealed class Owner(CountingBuffers owner, byte[] bytes) : IMemoryOwner<byte>
        {
            private int _disposed;

            public Memory<byte> Memory => bytes;

            public void Dispose()
            {
                Assert.AreEqual(0, Interlocked.Exchange(ref _disposed, 1), "a run's buffer is returned once");
                Interlocked.Decrement(ref owner._outstanding);
            }
        }
    }
}
