using System.Runtime.ExceptionServices;

namespace ShardStore.Cuda.Internals.Backends;

/// <summary>
/// An emulated stream: an ordered queue of operations run one at a time by a worker thread. The first operation that
/// throws faults the stream; every later operation is told so (copies then do nothing, records complete their event
/// with the error), like CUDA's sticky errors.
/// </summary>
internal sealed class EmulatedStream : IDeviceStream
{
    private readonly object _lock = new();
    private readonly Queue<Action<Exception?>> _queue = new();
    private long _issued;
    private long _done;
    private bool _closed;
    private Exception? _fault;

    /// <summary>Starts the stream's worker.</summary>
    public EmulatedStream()
    {
        var worker = new Thread(Run) { IsBackground = true, Name = "ShardStore emulated stream" };
        worker.Start();
    }

    /// <inheritdoc/>
    public nint Handle => 0;

    /// <summary>Enqueues an operation; it receives the stream's fault (null while healthy).</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="failIfFaulted">Throw the stream's fault now instead of enqueuing, as the driver fails calls after a sticky error.</param>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    public void Enqueue(Action<Exception?> operation, bool failIfFaulted)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (failIfFaulted && _fault is { } fault)
            {
                ExceptionDispatchInfo.Throw(fault);
            }

            _queue.Enqueue(operation);
            _issued++;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Blocks until every operation issued so far has run; throws the stream's fault.</summary>
    public void Synchronize()
    {
        lock (_lock)
        {
            long target = _issued;
            while (_done < target)
            {
                Monitor.Wait(_lock);
            }

            if (_fault is { } fault)
            {
                ExceptionDispatchInfo.Throw(fault);
            }
        }
    }

    /// <summary>Stops accepting work; the worker finishes what was issued and exits.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            Monitor.PulseAll(_lock);
        }
    }

    private void Run()
    {
        while (true)
        {
            Action<Exception?> operation;
            Exception? fault;
            lock (_lock)
            {
                while (_queue.Count == 0 && !_closed)
                {
                    Monitor.Wait(_lock);
                }

                if (_queue.Count == 0)
                {
                    return;
                }

                operation = _queue.Dequeue();
                fault = _fault;
            }

            Exception? thrown = null;
            try
            {
                operation(fault);
            }
            catch (Exception e)
            {
                thrown = e;
            }

            lock (_lock)
            {
                _fault ??= thrown;
                _done++;
                Monitor.PulseAll(_lock);
            }
        }
    }
}
