using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace ShardStore.Internals.Pipeline;

/// <summary>
/// The end of a pipeline: producers hand in items numbered by sequence, in any order; one consumer takes them
/// strictly in sequence order. An end marker or a failure at some sequence ends the stream there: the consumer
/// gets every item before it, then null (end) or the failure, which it keeps getting on every later take. The
/// time the consumer spends waiting is measured. Source-linked into each assembly that runs a pipeline (the
/// loader, the device ring).
/// </summary>
/// <remarks>
/// Its lock comes after the producers' locks in the pipeline's lock order (docs/ARCHITECTURE.md); only
/// <see cref="Published"/> runs under it, and must take no lock. Items dropped because the hand-off was closed are
/// passed to the discard action outside the lock.
/// </remarks>
/// <typeparam name="T">The item, for example a batch.</typeparam>
internal sealed class OrderedHandoff<T>
    where T : class
{
    private readonly object _sync = new();

    // Guarded by _sync: items that arrived ahead of their turn, the next sequence to pass on, whether the stream is
    // closed (ended, failed or torn down; later items are discarded in turn) and whether it was torn down (later items
    // are discarded at once).
    private readonly Dictionary<long, Entry> _pending = [];
    private long _next;
    private bool _closed;
    private bool _tornDown;

    private readonly Channel<Entry> _channel;
    private readonly Action<T> _discard;
    private readonly Action<long>? _waited;

    // Consumer thread only (one consumer at a time): the failure it got, and whether it saw the end.
    private ExceptionDispatchInfo? _failure;
    private bool _finished;

    // Interlocked.
    private long _waitTicks;

    /// <summary>Creates a hand-off.</summary>
    /// <param name="capacity">The most items passed on and not yet taken (the producers guarantee it), or null for no bound.</param>
    /// <param name="singleProducer">Whether one thread hands in every item.</param>
    /// <param name="discard">Disposes an item nobody will take.</param>
    /// <param name="waited">Told the ticks of each consumer wait (for metrics), or null.</param>
    public OrderedHandoff(int? capacity, bool singleProducer, Action<T> discard, Action<long>? waited = null)
    {
        _channel = capacity is { } bound
            ? Channel.CreateBounded<Entry>(new BoundedChannelOptions(bound) { SingleReader = true, SingleWriter = singleProducer })
            : Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = singleProducer });
        _discard = discard;
        _waited = waited;
    }

    /// <summary>Gets or sets what runs, under the hand-off's lock, for each item as it leaves the reorder buffer in order (also when it is then discarded).</summary>
    public Action<T>? Published { get; set; }

    /// <summary>Gets the total time the consumer waited for items.</summary>
    public TimeSpan WaitTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _waitTicks));

    /// <summary>Gets whether the consumer has seen the end of the stream.</summary>
    public bool IsFinished => _finished;

    /// <summary>Hands in the item at <paramref name="sequence"/>.</summary>
    public void Publish(long sequence, T item) => Add(sequence, new Entry(item, null));

    /// <summary>Ends the stream at <paramref name="sequence"/> with <paramref name="error"/>.</summary>
    public void Fail(long sequence, ExceptionDispatchInfo error) => Add(sequence, new Entry(null, error));

    /// <summary>Ends the stream at <paramref name="sequence"/>.</summary>
    public void Complete(long sequence) => Add(sequence, default);

    /// <summary>Rethrows the failure the consumer already got, if any.</summary>
    public void ThrowIfFailed() => _failure?.Throw();

    /// <summary>Takes the next item if it is ready: true with it, or true with null at the end; false when it is not there yet.</summary>
    /// <exception cref="Exception">The stream failed here (the producer's exception, rethrown with its stack).</exception>
    public bool TryTake(out T? item)
    {
        _failure?.Throw();
        if (_finished)
        {
            item = null;
            return true;
        }

        if (_channel.Reader.TryRead(out Entry entry))
        {
            item = Open(entry);
            return true;
        }

        item = null;
        return false;
    }

    /// <summary>Waits for the next item; null at the end.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the stream is left as it was).</exception>
    public T? Take(CancellationToken cancellationToken)
    {
        if (TryTake(out T? item))
        {
            return item;
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            Entry entry;
            while (!_channel.Reader.TryRead(out entry))
            {
                if (!_channel.Reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
                {
                    return Open(default);
                }
            }

            return Open(entry);
        }
        finally
        {
            AddWait(start);
        }
    }

    /// <summary>Waits for the next item without blocking a thread; null at the end.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the stream is left as it was).</exception>
    public async ValueTask<T?> TakeAsync(CancellationToken cancellationToken)
    {
        if (TryTake(out T? item))
        {
            return item;
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            Entry entry;
            while (!_channel.Reader.TryRead(out entry))
            {
                if (!await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return Open(default);
                }
            }

            return Open(entry);
        }
        finally
        {
            AddWait(start);
        }
    }

    /// <summary>
    /// Tears the stream down: items waiting for their turn or for the consumer are discarded, and so is any item
    /// handed in later. The consumer then sees the end. Call once the producers have stopped, or let late items be
    /// discarded.
    /// </summary>
    public void Close()
    {
        var orphans = new List<T>();
        lock (_sync)
        {
            _closed = true;
            _tornDown = true;
            foreach (Entry e in _pending.Values)
            {
                if (e.Item is { } item)
                {
                    orphans.Add(item);
                }
            }

            _pending.Clear();
            _channel.Writer.TryComplete();
        }

        while (_channel.Reader.TryRead(out Entry entry))
        {
            if (entry.Item is { } item)
            {
                orphans.Add(item);
            }
        }

        foreach (T item in orphans)
        {
            _discard(item);
        }
    }

    private void Add(long sequence, Entry entry)
    {
        List<T>? dropped = null;
        lock (_sync)
        {
            // Torn down: nobody will take it, and a gap before it would keep it pending forever.
            if (_tornDown)
            {
                if (entry.Item is { } orphan)
                {
                    Published?.Invoke(orphan);
                    (dropped ??= []).Add(orphan);
                }
            }
            else
            {
                _pending[sequence] = entry;
            }

            // (After a tear-down nothing is pending, so this passes nothing on.)
            while (_pending.Remove(_next, out Entry next))
            {
                _next++;
                if (next.Item is { } item)
                {
                    Published?.Invoke(item);
                }

                if (_closed)
                {
                    if (next.Item is { } late)
                    {
                        (dropped ??= []).Add(late);
                    }

                    continue;
                }

                _channel.Writer.TryWrite(next);
                if (next.Item is null)
                {
                    _closed = true;
                    _channel.Writer.TryComplete();
                }
            }
        }

        if (dropped is not null)
        {
            foreach (T item in dropped)
            {
                _discard(item);
            }
        }
    }

    private T? Open(Entry entry)
    {
        if (entry.Error is { } error)
        {
            _failure = error;
            error.Throw();
        }

        if (entry.Item is null)
        {
            _finished = true;
        }

        return entry.Item;
    }

    private void AddWait(long start)
    {
        long ticks = Stopwatch.GetTimestamp() - start;
        Interlocked.Add(ref _waitTicks, ticks);
        _waited?.Invoke(ticks);
    }

    private readonly record struct Entry(T? Item, ExceptionDispatchInfo? Error);
}
