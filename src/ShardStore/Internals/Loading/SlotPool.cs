using System.Diagnostics;
using ShardStore.Internals.Memory;

namespace ShardStore.Internals.Loading;

/// <summary>
/// The loader's pinned batch slots: which are free for a producer to fill, and how many the consumer holds in
/// batches it has not disposed yet. Slots are allocated once, from the loader's budget, when the loader is created.
/// </summary>
/// <remarks>
/// A producer first waits on the free count (<see cref="WaitFree"/> or <see cref="TryReserveFree"/>), then takes the
/// slot (<see cref="Take"/>). The pool's lock comes after a producer's claim lock in the pipeline's lock order
/// (docs/ARCHITECTURE.md) and holds no other; <see cref="Returned"/> runs after it is released.
/// </remarks>
internal sealed class SlotPool : IDisposable
{
    private readonly BatchSlot[] _slots;

    // Counts the free slots: released on every return, waited on before every take.
    private readonly SemaphoreSlim _free;
    private readonly object _sync = new();

    // Guarded by _sync: the free slots, and whether the pool is closed (a slot returned after that is freed).
    private readonly Queue<BatchSlot> _queue = new();
    private bool _closed;

    // Interlocked: slots in batches handed to the consumer and not disposed yet.
    private int _handedOut;

    private SlotPool(BatchSlot[] slots)
    {
        _slots = slots;
        foreach (BatchSlot slot in slots)
        {
            _queue.Enqueue(slot);
        }

        _free = new SemaphoreSlim(slots.Length, slots.Length);
    }

    /// <summary>Gets the slots, by index.</summary>
    public IReadOnlyList<BatchSlot> Slots => _slots;

    /// <summary>Gets the number of slots.</summary>
    public int Count => _slots.Length;

    /// <summary>Gets whether the consumer holds every slot in undisposed batches (no producer can make progress).</summary>
    public bool AllHandedOut => Volatile.Read(ref _handedOut) >= _slots.Length;

    /// <summary>Gets or sets what runs after a slot went back to the pool (a producer that waits for one on its own lock).</summary>
    public Action? Returned { get; set; }

    /// <summary>Allocates <paramref name="count"/> slots from <paramref name="budget"/>.</summary>
    /// <exception cref="InvalidOperationException">The budget cannot hold them (it changed since the plan was made).</exception>
    public static SlotPool Create(Schema schema, int batchSize, MemoryBudget budget, int count)
    {
        var slots = new BatchSlot[count];
        SlotArena? arena = SlotArena.TryCreate(BatchSlot.FixedBytes(schema, batchSize) * count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                if (BatchSlot.TryCreate(schema, batchSize, budget, i, arena) is not { } slot)
                {
                    foreach (BatchSlot made in slots.AsSpan(0, i))
                    {
                        made.Dispose();
                    }

                    throw new InvalidOperationException("The memory budget changed while the loader was being created.");
                }

                slots[i] = slot;
            }
        }
        finally
        {
            // From here the arena lives as long as the slots holding pieces of it (some outlive the pool, with the consumer).
            arena?.Seal();
        }

        return new SlotPool(slots);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a free slot and reserves it; true when one is reserved.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public bool WaitFree(TimeSpan timeout, CancellationToken cancellationToken) => _free.Wait(timeout, cancellationToken);

    /// <summary>Reserves a free slot if there is one now.</summary>
    public bool TryReserveFree() => _free.Wait(0, CancellationToken.None);

    /// <summary>Takes the slot reserved by <see cref="WaitFree"/> or <see cref="TryReserveFree"/>.</summary>
    public BatchSlot Take()
    {
        lock (_sync)
        {
            return _queue.Dequeue();
        }
    }

    /// <summary>Gives a slot back; after <see cref="Close"/>, frees it instead.</summary>
    public void Return(BatchSlot slot)
    {
        lock (_sync)
        {
            if (_closed)
            {
                slot.Dispose();
                return;
            }

            _queue.Enqueue(slot);
        }

        _free.Release();
        Returned?.Invoke();
    }

    /// <summary>Counts a slot as held by the consumer, in a batch handed out.</summary>
    public void HandOut() => Interlocked.Increment(ref _handedOut);

    /// <summary>Gives back a slot the consumer held (its batch was disposed).</summary>
    public void ReturnHandedOut(BatchSlot slot)
    {
        Interlocked.Decrement(ref _handedOut);
        Return(slot);
    }

    /// <summary>Closes the pool: slots returned from now on are freed at once.</summary>
    public void Close()
    {
        lock (_sync)
        {
            _closed = true;
        }
    }

    /// <summary>Frees the free slots (call after <see cref="Close"/>, once no producer runs); slots still out are freed as they come back.</summary>
    public void Dispose()
    {
        Debug.Assert(_closed, "Close the pool before disposing it.");
        lock (_sync)
        {
            while (_queue.TryDequeue(out BatchSlot? slot))
            {
                slot.Dispose();
            }
        }

        _free.Dispose();
    }
}
