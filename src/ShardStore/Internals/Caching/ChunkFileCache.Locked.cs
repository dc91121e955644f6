using System.Diagnostics;

namespace ShardStore.Internals.Caching;

/// <summary>The steps that run holding the directory's lock: each loads the state, changes files and state together, and saves it.</summary>
internal sealed partial class ChunkFileCache
{
    private CacheDirectoryLock.Held AcquireLock() => AcquireLock(_lockTimeout);

    private CacheDirectoryLock.Held AcquireLock(TimeSpan timeout)
    {
        CacheDirectoryLock.Held held = _lock.Acquire(timeout, out TimeSpan waited);
        Interlocked.Add(ref _lockWaitTicks, waited.Ticks);
        return held;
    }

    // Open: the state from the files (keeping the recency the old state knew), then down to this limit if another
    // process used a larger one.
    private void Rescan()
    {
        using CacheDirectoryLock.Held held = AcquireLock();
        using FileStream stateFile = CacheStateFile.Open(_statePath);
        CacheState? previous = CacheStateFile.TryRead(stateFile, out _, out _, out _);
        CacheState state = CacheDirectoryScan.Scan(_root, previous, _strayAge, DateTime.UtcNow);
        _cached = null;
        _snapshotDue = true;
        state.StartRecording();
        var victims = new List<CacheEntryName>();
        if (state.UsedBytes > _limit && EvictionPlanner.TryPlan(state, _limit, _key, size: 0, newNextUse: 0, oracle: null, victims))
        {
            foreach (CacheEntryName victim in victims)
            {
                EvictLocked(state, victim);
            }
        }

        SaveLocked(stateFile, state);
    }

    // The shared state, recording changes: this instance's copy brought up to date by the records other processes
    // appended since it saved it (same snapshot epoch), else the whole file, else (missing, torn or corrupt) a scan.
    private CacheState LoadLocked(FileStream stateFile)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);

        // Taken out until saved: a change that fails halfway leaves no copy that differs from the file.
        CacheState? state = _cached;
        _cached = null;
        if (state is null
            || !CacheStateFile.TryReadEpoch(stateFile, out ulong epoch)
            || epoch != _epoch
            || !CacheStateFile.TryApplyJournal(stateFile, _fileLength, state, out _fileLength))
        {
            state = CacheStateFile.TryRead(stateFile, out _snapshotLength, out _epoch, out _fileLength);
            if (state is null)
            {
                state = CacheDirectoryScan.Scan(_root, null, _strayAge, DateTime.UtcNow);
                _snapshotDue = true;
            }
        }

        state.StartRecording();
        DropStrayReservations(state);
        MergeHits(state);
        return state;
    }

    // Appends the changes as journal records, or writes a new snapshot when due or when the journal outgrew the last one.
    private void SaveLocked(FileStream stateFile, CacheState state)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        ReadOnlySpan<byte> records = state.StopRecording();
        long journalBytes = _fileLength - _snapshotLength + records.Length;
        if (_snapshotDue || journalBytes > Math.Max(MinJournalBytes, _snapshotLength))
        {
            _epoch = CacheStateFile.NewEpoch();
            _snapshotLength = _fileLength = CacheStateFile.WriteSnapshot(stateFile, state, _epoch);
            _snapshotDue = false;
        }
        else if (!records.IsEmpty)
        {
            _fileLength = CacheStateFile.Append(stateFile, _fileLength, records);
        }

        _cached = state;
        Interlocked.Exchange(ref _bytesOnDisk, state.UsedBytes);
    }

    // Room for a new entry: evicts what the plan says, creates the temporary file and records the reservation.
    // Null when nothing is to be written: the entry is there already (present), or it is declined.
    private FileStream? Reserve(CacheEntryName name, long size, long nextUse, INextUseOracle? oracle, ulong token, string tempPath, out bool present)
    {
        present = false;
        using CacheDirectoryLock.Held held = AcquireLock();
        using FileStream stateFile = CacheStateFile.Open(_statePath);
        CacheState state = LoadLocked(stateFile);
        FileStream? temp = null;
        try
        {
            long now = DateTime.UtcNow.Ticks;
            if (state.TryGetEntry(name, out CacheEntryRecord existing))
            {
                if (existing.Length == size)
                {
                    state.Touch(name, now);
                    present = true;
                    SaveLocked(stateFile, state);
                    return null;
                }

                DeleteEntryLocked(state, name);
            }

            var victims = new List<CacheEntryName>();
            if (!EvictionPlanner.TryPlan(state, _limit, _key, size, nextUse, oracle, victims))
            {
                Interlocked.Increment(ref _declinedWrites);
                SaveLocked(stateFile, state);
                return null;
            }

            foreach (CacheEntryName victim in victims)
            {
                EvictLocked(state, victim);
            }

            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(tempPath)!);
            temp = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            state.AddReservation(token, new CacheReservation(name, size, now));
            SaveLocked(stateFile, state);
            return temp;
        }
        catch
        {
            if (temp is not null)
            {
                temp.Dispose();
                TryDeleteFile(tempPath);
            }

            // Whatever was evicted before the failure is gone from disk: record that, without the reservation, as a
            // whole snapshot (the failure may have come halfway through saving the records).
            state.RemoveReservation(token);
            _snapshotDue = true;
            TrySaveLocked(stateFile, state);
            throw;
        }
    }

    // The written entry into place, unless the reservation was lost or another process stored the chunk meanwhile.
    private bool Commit(CacheEntryName name, long size, ulong token, string tempPath)
    {
        using CacheDirectoryLock.Held held = AcquireLock();
        using FileStream stateFile = CacheStateFile.Open(_statePath);
        CacheState state = LoadLocked(stateFile);
        bool stored;
        if (!state.RemoveReservation(token))
        {
            // A scan took it for a dead writer's (unwritten for longer than the stray age) and deleted the file.
            TryDeleteFile(tempPath);
            stored = false;
        }
        else if (state.TryGetEntry(name, out CacheEntryRecord existing) && existing.Length == size)
        {
            TryDeleteFile(tempPath);
            state.Touch(name, DateTime.UtcNow.Ticks);
            stored = true;
        }
        else
        {
            File.Move(tempPath, CacheLayout.EntryPath(_root, name), overwrite: true);
            state.AddEntry(name, new CacheEntryRecord(size, DateTime.UtcNow.Ticks));
            Interlocked.Add(ref _bytesWritten, size);
            stored = true;
        }

        SaveLocked(stateFile, state);
        return stored;
    }

    // After a failed write: the reservation dropped and its file deleted. Best effort; what is left the stray sweep takes.
    private void Abandon(ulong token, string tempPath)
    {
        try
        {
            using CacheDirectoryLock.Held held = AcquireLock();
            using FileStream stateFile = CacheStateFile.Open(_statePath);
            CacheState state = LoadLocked(stateFile);
            state.RemoveReservation(token);
            TryDeleteFile(tempPath);
            SaveLocked(stateFile, state);
        }
        catch (Exception e) when (e is IOException or TimeoutException or UnauthorizedAccessException)
        {
            // The first failure is the one the caller sees.
        }
    }

    private void TrySaveLocked(FileStream stateFile, CacheState state)
    {
        try
        {
            SaveLocked(stateFile, state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A state that cannot be saved is rebuilt by the next scan.
        }
    }

    private void EvictLocked(CacheState state, CacheEntryName victim)
    {
        long length = state.Entries[victim].Length;
        DeleteEntryLocked(state, victim);
        Interlocked.Add(ref _bytesEvicted, length);
        Interlocked.Increment(ref _entriesEvicted);
    }

    // The entry's file first, then its record: a file that cannot be deleted stays counted.
    private void DeleteEntryLocked(CacheState state, CacheEntryName name)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        TryDeleteFile(CacheLayout.EntryPath(_root, name));
        state.RemoveEntry(name);
    }

    // Reservations whose temporary file is gone or has not been written for the stray age: a writer that died.
    private void DropStrayReservations(CacheState state)
    {
        long oldest = DateTime.UtcNow.Ticks - _strayAge.Ticks;
        List<ulong>? stray = null;
        foreach ((ulong token, CacheReservation reservation) in state.Reservations)
        {
            if (reservation.CreatedTicks < oldest)
            {
                string path = CacheLayout.TempPath(_root, reservation.Name, reservation.Size, token);
                if (File.GetLastWriteTimeUtc(path).Ticks < oldest)
                {
                    TryDeleteFile(path);
                    (stray ??= []).Add(token);
                }
            }
        }

        foreach (ulong token in stray ?? [])
        {
            state.RemoveReservation(token);
        }
    }

    private void MergeHits(CacheState state)
    {
        Dictionary<(int Shard, int Chunk), long> hits;
        lock (_hitsSync)
        {
            if (_pendingHits.Count == 0)
            {
                return;
            }

            hits = _pendingHits;
            _pendingHits = [];
        }

        foreach (((int shard, int chunk), long ticks) in hits)
        {
            state.Touch(new CacheEntryName(_key, shard, chunk), ticks);
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
