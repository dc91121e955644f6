using ShardStore.Internals.Caching;
using ShardStore.Tests.Internals.Caching.Infrastructure;

namespace ShardStore.Tests.Internals.Caching;

public sealed partial class ChunkFileCacheTests
{
    [TestMethod]
    public void Open_AfterRestart_ReusesEntries()
    {
        using var dir = new TempDirectory();
        using (var first = ChunkFileCache.Open(dir.Path, 1 << 20, Key))
        {
            Assert.IsTrue(first.TryWrite(2, 9, CacheFiles.Chunk(2, 9, 1234)));
        }

        using var second = ChunkFileCache.Open(dir.Path, 1 << 20, Key);
        byte[] read = new byte[1234];

        Assert.IsTrue(second.TryRead(2, 9, read));
        CollectionAssert.AreEqual(CacheFiles.Chunk(2, 9, 1234), read);
        Assert.AreEqual(1234L, second.Statistics.BytesOnDisk);
        Assert.AreEqual(0L, second.Statistics.BytesWritten);
    }

    [TestMethod]
    public void Open_StrayTempFiles_OldOnesDeletedFreshOnesCounted()
    {
        using var dir = new TempDirectory();
        string shard = Path.Combine(dir.Path, Key, "0");
        Directory.CreateDirectory(shard);
        string old = Path.Combine(shard, CacheLayout.TempFileName(1, 500, 0x1234));
        string fresh = Path.Combine(shard, CacheLayout.TempFileName(2, 600, 0x5678));
        File.WriteAllBytes(old, new byte[200]);          // a writer that died an hour ago, partway
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-1));
        File.WriteAllBytes(fresh, new byte[100]);        // perhaps still being written by another process

        using (var cache = ChunkFileCache.Open(dir.Path, 10_000, Key))
        {
            Assert.IsFalse(File.Exists(old));
            Assert.IsTrue(File.Exists(fresh));
            Assert.AreEqual(600L, cache.Statistics.BytesOnDisk, "a write in progress is counted at its reserved size");
        }

        File.SetLastWriteTimeUtc(fresh, DateTime.UtcNow.AddHours(-1));
        using (var cache = ChunkFileCache.Open(dir.Path, 10_000, Key))
        {
            Assert.IsFalse(File.Exists(fresh), "gone once it is not written for the stray age");
            Assert.AreEqual(0L, cache.Statistics.BytesOnDisk);
        }
    }

    [TestMethod]
    public void Open_CorruptOrMissingStateFile_RebuiltFromTheEntries()
    {
        using var dir = new TempDirectory();
        using (var cache = ChunkFileCache.Open(dir.Path, 10_000, Key))
        {
            Assert.IsTrue(cache.TryWrite(0, 0, CacheFiles.Chunk(0, 0, 100)));
            Assert.IsTrue(cache.TryWrite(1, 5, CacheFiles.Chunk(1, 5, 250)));
        }

        string state = dir.Combine(CacheLayout.StateFileName);
        byte[] bytes = File.ReadAllBytes(state);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(state, bytes);
        Assert.IsNull(CacheStateFile.TryRead(state), "the flipped byte fails the checksum");

        using (var cache = ChunkFileCache.Open(dir.Path, 10_000, Key))
        {
            Assert.AreEqual(350L, cache.Statistics.BytesOnDisk);
            Assert.IsTrue(cache.TryRead(1, 5, new byte[250]));
        }

        File.WriteAllText(state, "not a state");
        using (var cache = ChunkFileCache.Open(dir.Path, 10_000, Key))
        {
            Assert.AreEqual(350L, cache.Statistics.BytesOnDisk);
        }

        File.Delete(state);
        using (var cache = ChunkFileCache.Open(dir.Path, 10_000, Key))
        {
            Assert.AreEqual(350L, cache.Statistics.BytesOnDisk);
            Assert.IsNotNull(CacheStateFile.TryRead(state), "written again");
        }
    }

    [TestMethod]
    public void TryWrite_StateFileLostWhileOpen_RebuiltAndLimitHolds()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 300, Key);
        Write(cache, 0, 1, 2);

        File.WriteAllBytes(dir.Combine(CacheLayout.StateFileName), new byte[64]);
        Assert.IsTrue(cache.TryWrite(0, 3, CacheFiles.Chunk(0, 3, 100)));

        Assert.AreEqual(300L, CacheFiles.BytesOnDisk(dir.Path), "one entry evicted for the new one");
        Assert.AreEqual(300L, cache.Statistics.BytesOnDisk);
        Assert.AreEqual(1L, cache.Statistics.EntriesEvicted);
    }

    [TestMethod]
    public void TryWrite_ReservationOfDeadWriter_DroppedAndItsRoomReused()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 1000, Key);
        Assert.IsTrue(cache.TryWrite(0, 0, CacheFiles.Chunk(0, 0, 100)));

        // A process reserved 800 bytes an hour ago and died before its temporary file got written.
        string statePath = dir.Combine(CacheLayout.StateFileName);
        CacheState state = CacheStateFile.TryRead(statePath) ?? throw new AssertFailedException("no state after a write");
        long anHourAgo = DateTime.UtcNow.AddHours(-1).Ticks;
        state.AddReservation(42, new CacheReservation(new CacheEntryName(Key, 0, 7), 800, anHourAgo));
        CacheStateFile.Write(statePath, state);

        Assert.IsTrue(cache.TryWrite(0, 1, CacheFiles.Chunk(0, 1, 500)));

        Assert.AreEqual(0L, cache.Statistics.EntriesEvicted, "the dead reservation made way, not the entry");
        Assert.AreEqual(600L, cache.Statistics.BytesOnDisk);
        Assert.AreEqual(600L, CacheFiles.BytesOnDisk(dir.Path));
    }

    [TestMethod]
    public void TryWrite_ReservationOfLiveWriter_KeptAndCounted()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 1000, Key);
        Assert.IsTrue(cache.TryWrite(0, 0, CacheFiles.Chunk(0, 0, 100)));

        // Another process reserved 800 bytes just now and is writing them.
        string statePath = dir.Combine(CacheLayout.StateFileName);
        CacheState state = CacheStateFile.TryRead(statePath) ?? throw new AssertFailedException("no state after a write");
        state.AddReservation(42, new CacheReservation(new CacheEntryName(Key, 0, 7), 800, DateTime.UtcNow.Ticks));
        CacheStateFile.Write(statePath, state);

        Assert.IsTrue(cache.TryWrite(0, 1, CacheFiles.Chunk(0, 1, 150)));

        CollectionAssert.AreEqual(new[] { 1 }, Present(cache, 0, 1), "chunk 0 made room: the reservation is not evictable");
        Assert.AreEqual(950L, cache.Statistics.BytesOnDisk);
        Assert.IsFalse(cache.TryWrite(0, 2, CacheFiles.Chunk(0, 2, 900)), "the reserved room cannot be taken");
    }

    [TestMethod]
    public void TryWrite_TornJournalRecord_StateRebuiltFromTheFiles()
    {
        using var dir = new TempDirectory();
        using var writer = ChunkFileCache.Open(dir.Path, 300, Key);
        using var other = ChunkFileCache.Open(dir.Path, 300, "ds-2");
        Write(writer, 0, 1);
        Assert.IsTrue(other.TryWrite(0, 0, CacheFiles.Chunk(0, 0, 100)), "the other instance saw the journal so far");

        // A process died halfway through appending a record.
        using (var state = new FileStream(dir.Combine(CacheLayout.StateFileName), FileMode.Append))
        {
            state.Write([1, 4, (byte)'d', (byte)'s']);
        }

        Assert.IsNull(CacheStateFile.TryRead(dir.Combine(CacheLayout.StateFileName)));
        Assert.IsTrue(writer.TryWrite(0, 2, CacheFiles.Chunk(0, 2, 100)), "after a scan, room made by evicting the other key's entry");

        Assert.AreEqual(300L, writer.Statistics.BytesOnDisk);
        Assert.AreEqual(300L, CacheFiles.BytesOnDisk(dir.Path));
        Assert.IsFalse(other.TryRead(0, 0, new byte[100]));
        Assert.IsNotNull(CacheStateFile.TryRead(dir.Combine(CacheLayout.StateFileName)), "written whole again");
    }

    [TestMethod]
    public void TryWrite_ManyChanges_JournalCompactedAndStateExact()
    {
        using var dir = new TempDirectory();
        using var cache = ChunkFileCache.Open(dir.Path, 10_000, Key);
        using var other = ChunkFileCache.Open(dir.Path, 10_000, "ds-2");
        string statePath = dir.Combine(CacheLayout.StateFileName);
        long largest = 0;

        for (int i = 0; i < 1500; i++)
        {
            Assert.IsTrue(cache.TryWrite(0, i % 50, CacheFiles.Chunk(0, i % 50, 150)));
            cache.Remove(0, (i + 25) % 50);
            if (i % 100 == 0)
            {
                Assert.IsTrue(other.TryWrite(1, i / 100, CacheFiles.Chunk(1, i / 100, 100)), "another instance reads the journal too");
            }

            largest = Math.Max(largest, new FileInfo(statePath).Length);
        }

        Assert.IsLessThan(100_000L, largest, "the journal is folded into a new snapshot as it grows");
        CacheState state = CacheStateFile.TryRead(statePath) ?? throw new AssertFailedException("no valid state");
        Assert.AreEqual(CacheFiles.BytesOnDisk(dir.Path), state.UsedBytes);
        Assert.AreEqual(state.UsedBytes, cache.Statistics.BytesOnDisk);
    }
}
