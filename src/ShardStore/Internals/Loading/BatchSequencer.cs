using System.Diagnostics;
using ShardStore.Internals.Ordering;

namespace ShardStore.Internals.Loading;

/// <summary>
/// Claims the rank's batches one after another, in schedule order, for the producer threads; remembers when the
/// schedule ran out or a batch failed, after which no producer claims more.
/// </summary>
/// <param name="schedule">The rank's schedule.</param>
/// <param name="claimLock">The producer's lock, held around every claim.</param>
internal sealed class BatchSequencer(RankSchedule schedule, object claimLock)
{
    // Guarded by claimLock: the next batch to claim, and whether the schedule ran out.
    private long _next;
    private bool _exhausted;

    // Written by any producer thread, read without a lock.
    private volatile bool _faulted;

    /// <summary>Gets whether no producer should claim another batch: the schedule ran out or a batch failed. Call under the claim lock.</summary>
    public bool Stopped
    {
        get
        {
            Debug.Assert(Monitor.IsEntered(claimLock), "The claim lock guards the sequence.");
            return _exhausted || _faulted;
        }
    }

    /// <summary>Gets whether a batch failed.</summary>
    public bool Faulted => _faulted;

    /// <summary>
    /// Claims the next batch: true with its plan, or false when the schedule has run out, with the sequence the
    /// end takes (this claim's). Call under the claim lock.
    /// </summary>
    public bool TryClaim(out BatchPlan plan, out long sequence)
    {
        Debug.Assert(Monitor.IsEntered(claimLock), "The claim lock guards the sequence.");
        sequence = _next++;
        if (schedule.TryGet(sequence, out plan))
        {
            return true;
        }

        _exhausted = true;
        return false;
    }

    /// <summary>Stops further claims after a failed batch.</summary>
    public void Fault() => _faulted = true;
}
