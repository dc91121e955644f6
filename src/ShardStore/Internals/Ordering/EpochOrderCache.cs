using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// The epoch orders a loader is using: built on first use and kept for the last three epochs (batches in flight
/// span at most two), so every producer thread shares one order per epoch (for a plain dataset, each over the layout of
/// the generation that epoch runs on: an older generation's for the epoch a resume finishes). Thread-safe.
/// </summary>
internal sealed class EpochOrderCache(Func<int, IEpochOrder> create)
{
    // Guarded by itself: the orders, oldest first.
    private readonly List<IEpochOrder> _orders = [];

    /// <summary>Creates the cache of one dataset's orders, each epoch's over the layout <paramref name="layouts"/> gives it.</summary>
    public EpochOrderCache(ChunkIndex index, ShardLoaderOptions options, EpochLayouts? layouts = null)
        : this(epoch =>
        {
            ChunkIndex layout = layouts?.For(epoch) ?? index;
            return new EpochOrder(layout, options.Order, options.Seed, epoch, options.LogicalPartitions, WindowShape.For(layout, options), options.BatchSize);
        })
    {
    }

    /// <summary>Returns the order of <paramref name="epoch"/>, building it if needed.</summary>
    public IEpochOrder Get(int epoch)
    {
        lock (_orders)
        {
            foreach (IEpochOrder o in _orders)
            {
                if (o.Epoch == epoch)
                {
                    return o;
                }
            }

            IEpochOrder order = create(epoch);
            _orders.Add(order);
            if (_orders.Count > 3)
            {
                _orders.RemoveAt(0);
            }

            return order;
        }
    }

    /// <summary>Returns the order built last (the epoch being planned), or null before the first.</summary>
    public IEpochOrder? Latest()
    {
        lock (_orders)
        {
            return _orders.Count > 0 ? _orders[^1] : null;
        }
    }
}
