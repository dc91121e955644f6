using System.Diagnostics;
using ShardStore.Format;
using ShardStore.Internals.Memory;
using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Sources;

/// <summary>
/// The shards a dataset holds open at once (<see cref="ShardDatasetOptions.MaxMappedShards"/>), least recently used
/// closed first; a shard outside the set is opened again through its <see cref="DatasetSource"/> when read. Every
/// acquired shard carries a reference for the caller, so closing one that is still being read waits for the reader.
/// </summary>
internal sealed class OpenShardSet(DatasetSource source, int capacity)
{
    // Guarded by _lock: the open shards, most recently used first, and whether the set was closed.
    private readonly Lock _lock = new();
    private readonly LinkedList<ShardFile> _open = new();
    private bool _closed;

    /// <summary>Adds the shards the source left open at open (those with <see cref="ShardFile.Open"/> set).</summary>
    public void AddOpened(IEnumerable<ShardFile> shards)
    {
        lock (_lock)
        {
            foreach (ShardFile s in shards.Where(s => s.Open is not null))
            {
                s.LruNode = _open.AddFirst(s);
            }
        }
    }

    /// <summary>Takes a reference on a shard, opening it again if it was closed; release it when done.</summary>
    /// <exception cref="InvalidDataException">The shard no longer matches the one validated at open.</exception>
    /// <exception cref="ObjectDisposedException">The dataset was disposed.</exception>
    public OpenShard Acquire(ShardFile file)
    {
        OpenShard? evicted = null;
        OpenShard open;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(ShardDataset));
            if (file.Open is null)
            {
                file.Open = source.Reopen(file);
                file.LruNode = _open.AddFirst(file);
                if (_open.Count > capacity)
                {
                    evicted = Remove(_open.Last!.Value);
                }
            }
            else if (file.LruNode is { } node && node != _open.First)
            {
                _open.Remove(node);
                _open.AddFirst(node);
            }

            open = file.Open;
            open.AddReference();
        }

        evicted?.Release();
        return open;
    }

    /// <summary>Takes a reference on a shard if it is open now, without opening it; null when it is not (release it when done).</summary>
    public OpenShard? TryAcquireOpen(ShardFile file)
    {
        lock (_lock)
        {
            OpenShard? open = _closed ? null : file.Open;
            open?.AddReference();
            return open;
        }
    }

    /// <summary>Passes an access hint for a chunk to its shard if the shard is open now (a hint never opens one).</summary>
    public void Advise(ShardFile file, int chunk, MemoryAdvice advice)
    {
        if (TryAcquireOpen(file) is { } open)
        {
            try
            {
                open.Advise(chunk, file.Entries[chunk], advice);
            }
            finally
            {
                open.Release();
            }
        }
    }

    /// <summary>Closes every shard (readers still holding one keep it until they release it); later acquires fail.</summary>
    public void Close()
    {
        var closing = new List<OpenShard>();
        lock (_lock)
        {
            _closed = true;
            while (_open.Last is { } last)
            {
                closing.Add(Remove(last.Value));
            }
        }

        closing.ForEach(s => s.Release());
    }

    private OpenShard Remove(ShardFile file)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        OpenShard open = file.Open!;
        _open.Remove(file.LruNode!);
        file.Open = null;
        file.LruNode = null;
        return open;
    }
}
