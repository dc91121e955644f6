using System.Runtime.ExceptionServices;

namespace ShardStore.Cuda.Internals.Backends;

/// <summary>An emulated event: each record gets a number, and the event completes a record when its stream runs the record's operation.</summary>
internal sealed class EmulatedEvent : IDeviceEvent
{
    private readonly object _lock = new();
    private long _recorded;
    private long _completed;
    private Exception? _error;

    /// <summary>Gets the number of the most recent record (0: never recorded, which counts as complete).</summary>
    public long LatestRecord
    {
        get
        {
            lock (_lock)
            {
                return _recorded;
            }
        }
    }

    /// <summary>Starts a new record and returns its number.</summary>
    public long NextRecord()
    {
        lock (_lock)
        {
            return ++_recorded;
        }
    }

    /// <summary>Marks record <paramref name="record"/> reached, with the error of its stream if the stream failed before it.</summary>
    public void Complete(long record, Exception? error)
    {
        lock (_lock)
        {
            if (record > _completed)
            {
                _completed = record;
                _error = error;
            }

            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Returns whether the most recent record has completed; throws the stream's error if it failed.</summary>
    public bool Query()
    {
        lock (_lock)
        {
            if (_completed < _recorded)
            {
                return false;
            }

            ThrowIfFailed();
            return true;
        }
    }

    /// <summary>Blocks until record <paramref name="record"/> has completed; throws the stream's error if it failed.</summary>
    public void WaitFor(long record)
    {
        lock (_lock)
        {
            while (_completed < record)
            {
                Monitor.Wait(_lock);
            }

            ThrowIfFailed();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private void ThrowIfFailed()
    {
        if (_error is { } error)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }
}
