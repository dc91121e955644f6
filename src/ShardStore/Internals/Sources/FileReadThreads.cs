using System.Collections.Concurrent;

namespace ShardStore.Internals.Sources;

/// <summary>
/// A few threads of its own that run blocking file reads, so that several reads are in flight at once (a disk reads
/// scattered megabyte blocks at several times the speed with 8 to 16 requests queued than with one) without
/// tying up thread-pool threads. Started on the first read; the threads end when it is disposed, after running (or
/// cancelling) every read queued. Thread-safe.
/// </summary>
internal sealed class FileReadThreads(int threads, string name) : IDisposable
{
    private readonly BlockingCollection<Work> _queue = [];

    // Guarded by _startLock: whether the threads were started.
    private readonly Lock _startLock = new();
    private bool _started;

    /// <summary>Queues <paramref name="read"/> (which gives a byte count) to run on one of the threads.</summary>
    /// <exception cref="ObjectDisposedException">The threads were stopped.</exception>
    public Task<int> Run(Func<int> read)
    {
        lock (_startLock)
        {
            if (!_started)
            {
                _started = true;
                for (int i = 0; i < threads; i++)
                {
                    new Thread(Serve) { IsBackground = true, Name = name }.Start();
                }
            }
        }

        var work = new Work(read);
        try
        {
            _queue.Add(work);
        }
        catch (InvalidOperationException e)
        {
            throw new ObjectDisposedException(nameof(FileReadThreads), e);
        }

        return work.Done.Task;
    }

    /// <summary>Lets the threads end once the reads queued have run; new reads are refused.</summary>
    public void Dispose() => _queue.CompleteAdding();

    private void Serve()
    {
        foreach (Work work in _queue.GetConsumingEnumerable())
        {
            try
            {
                work.Done.SetResult(work.Read());
            }
            catch (Exception e)
            {
                // Handed to whoever waits for the read.
                work.Done.SetException(e);
            }
        }
    }

    private sealed record Work(Func<int> Read)
    {
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
