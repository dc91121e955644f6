using ShardStore.Internals.Reading;

namespace ShardStore.Internals.Ordering;

/// <summary>
/// The epoch orders a loader is using: built on first use and kept for the last three epochs (batches in flight
/// span at most two), so every producer thread shares one order per epoch. Thread-safe.
/// </summary>
internal sealed class EpochOrderCache(ChunkIndex index, ShardLoaderOptions options)
{
    // Guarded by itself: the orders, oldest first.
    private readonly List<EpochOrder> _orders = [];

    /// <summary>Returns the order of <paramref name="epoch"/>, building it if needed.</summary>
    public EpochOrder Get(int epoch)
    {
        lock (_orders)
        {
            foreach (EpochOrder o in _orders)
            {
                if (o.Epoch == epoch)
                {
                    return o;
                }
            }

            var order = new EpochOrder(index, options.Order, options.Seed, epoch, options.LogicalPartitions, WindowShape.For(index, options), options.BatchSize);
            _orders.Add(order);
            if (_orders.Count > 3)
            {
                _orders.RemoveAt(0);
            }

            return order;
        }
    }

    /// <summary>Returns the order built last (the epoch being planned), or null before the first.</summary>
    public EpochOrder? Latest()
    {
        lock (_orders)
        {
            return _orders.Count > 0 ? _orders[^1] : null;
        }
    }
}
