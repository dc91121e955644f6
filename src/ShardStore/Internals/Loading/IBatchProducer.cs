namespace ShardStore.Internals.Loading;

/// <summary>
/// One way of filling batch slots (gather, or scatter; a gather producer may hand batches out zero-copy). The
/// loader runs <see cref="RunWorker"/> on each of its decode worker threads; the producer claims batches from its
/// <see cref="BatchSequencer"/>, fills slots from the <see cref="SlotPool"/>, and hands each batch, or the failure
/// or end of the schedule, to the loader's ordered hand-off by sequence.
/// </summary>
internal interface IBatchProducer
{
    /// <summary>Runs one worker until the schedule ends, a batch fails, or <paramref name="stop"/> is cancelled.</summary>
    void RunWorker(CancellationToken stop);

    /// <summary>Runs, under the hand-off's lock, for each batch as it leaves the reorder buffer (must take no lock).</summary>
    void OnPublished(Batch batch);

    /// <summary>Gives back the slots of batches started and never finished; called once every worker has stopped.</summary>
    void ReturnUnfinished();
}
